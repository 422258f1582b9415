using System.Text;
using ResMgrLite.Config.Toml;

namespace ResMgrLite.Config.Tests.Toml;

/// <summary>Every error names line and column of the offending character and says what was expected.</summary>
public sealed class TomlErrorMessageTests
{
    [Theory]
    [InlineData("a = 1\nb = \n", 2, 5, "expected a value")]
    [InlineData("a = 1\nb 2\n", 2, 3, "expected '=' after the key 'b', found '2'")]
    [InlineData("x = \"abc\n", 1, 9, "expected '\"' to close the string")]
    [InlineData("x = 1_\n", 1, 6, "an underscore in a number must stand between two digits")]
    [InlineData("x = 012\n", 1, 5, "leading zeros are not allowed")]
    [InlineData("x = 9223372036854775808\n", 1, 5, "does not fit in 64 bits")]
    [InlineData("x = 2021-02-29\n", 1, 13, "day 29 does not exist in 2021-02")]
    [InlineData("x = \"\\q\"\n", 1, 7, "invalid escape sequence")]
    [InlineData("x = \"\\uD800\"\n", 1, 6, "is not a Unicode scalar value")]
    [InlineData("[a]\nb = 1\n[a]\n", 3, 2, "cannot define [a]: 'a' is already defined as a table at 1:2")]
    [InlineData("a = 1\na = 2\n", 2, 1, "the key 'a' is already defined at 1:1")]
    [InlineData("t = {x = 1}\nt.y = 2\n", 2, 1, "is an inline table, which cannot be extended")]
    [InlineData("[a.b]\n[a]\nb.c = 1\n", 3, 1, "a table defined by a [header]; dotted keys cannot add to it")]
    [InlineData("t = {a = 1,}\n", 1, 12, "does not allow a trailing comma")]
    [InlineData("t = {a = 1,\nb = 2}\n", 1, 12, "must stay on one line")]
    [InlineData("a = [1 2]\n", 1, 8, "expected ',' or ']' after an array element, found '2'")]
    [InlineData("a = 1 # ok\u0001\n", 1, 11, "control characters other than tab are not allowed in comments, found \\x01")]
    [InlineData("a = 1\rb = 2\n", 1, 6, "a carriage return must be followed by a line feed")]
    [InlineData("é = 1\n", 1, 1, "expected a key (letters, digits, '-', '_', or a quoted string), found 'é' (U+00E9)")]
    [InlineData("k = \"é\" x\n", 1, 9, "expected a newline or a comment after a key/value pair or table header, found 'x'")]
    [InlineData("[[a]]\n[a]\n", 2, 2, "cannot define [a]: 'a' is already defined as an array of tables")]
    [InlineData("a = [1]\n[[a]]\n", 2, 3, "is already defined as an array value")]
    [InlineData("x = 07:32\n", 1, 10, "seconds are required in TOML 1.0")]
    public void Error_carries_line_column_and_what_was_expected(string toml, int line, int column, string fragment)
    {
        var exception = Assert.Throws<TomlException>(() => TomlDocument.Parse(toml, "conf.toml"));

        Assert.Equal(new TomlPosition(line, column), exception.Position);
        Assert.Contains(fragment, exception.Reason, StringComparison.Ordinal);
        Assert.Equal($"conf.toml:{line}:{column}: {exception.Reason}", exception.Message);
    }

    [Fact]
    public void Invalid_utf8_is_reported_at_the_bad_byte()
    {
        byte[] input = [.. "a = \"ok\"\nb = \""u8, 0xC3, 0x28, .. "\"\n"u8];

        var exception = Assert.Throws<TomlException>(() => TomlDocument.Parse(input));

        Assert.Equal(new TomlPosition(2, 6), exception.Position);
        Assert.Contains("invalid UTF-8 byte \\xC3", exception.Reason, StringComparison.Ordinal);
        Assert.StartsWith("line 2, column 6: ", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Columns_count_characters_not_bytes()
    {
        var exception = Assert.Throws<TomlException>(() => TomlDocument.Parse("\"日本\" = 1 2\n"));

        Assert.Equal(new TomlPosition(1, 10), exception.Position);
    }

    [Fact]
    public void Nesting_up_to_the_cap_is_accepted_and_one_level_more_is_rejected()
    {
        // The root table is level 0; each array opens one more level.
        string atCap = "a = " + new string('[', TomlDocument.MaxDepth) + new string(']', TomlDocument.MaxDepth);
        string overCap = "a = " + new string('[', TomlDocument.MaxDepth + 1) + new string(']', TomlDocument.MaxDepth + 1);

        TomlDocument.Parse(atCap);
        var exception = Assert.Throws<TomlException>(() => TomlDocument.Parse(overCap));
        Assert.Contains($"limit of {TomlDocument.MaxDepth} levels", exception.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(100_000, '[')]
    [InlineData(100_000, '{')]
    public void Hostile_nesting_fails_cleanly_without_exhausting_the_stack(int depth, char open)
    {
        var text = new StringBuilder("a = ");
        for (int i = 0; i < depth; i++)
        {
            text.Append(open == '[' ? "[" : "{b = ");
        }

        var exception = Assert.Throws<TomlException>(() => TomlDocument.Parse(text.ToString()));
        Assert.Contains("nested deeper", exception.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1", 2)]
    [InlineData("[1]", 4)]
    [InlineData("{k = \"é\"}", 10)]
    public void A_megabyte_on_one_line_parses_without_rescanning_the_line(string element, int width)
    {
        const int elements = 150_000;
        string text = "a = [" + string.Join(',', Enumerable.Repeat(element, elements)) + "]";
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var array = (TomlArray)TomlDocument.Parse(text).Entries.Single().Value;

        // A hang guard, not a speed target (that is a benchmark's job): a parser that rescans the
        // line for each position does ~10^11 steps here and needs many minutes; a linear one needs
        // well under a second, so a minute only fails on the defect, never on a busy machine.
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), $"took {clock.Elapsed}");
        Assert.Equal(elements, array.Count);
        Assert.Equal(new TomlPosition(1, 6 + (width * (elements - 1))), array[elements - 1].Position);
        Assert.Equal(new TomlPosition(1, 6 + width), array[1].Position);
    }

    [Fact]
    public void Deep_table_headers_and_dotted_keys_count_towards_the_cap()
    {
        // A header names tables only; the last part of a dotted key names a value, not a table.
        string Keys(int count) => string.Join('.', Enumerable.Repeat("k", count));

        TomlDocument.Parse("[" + Keys(TomlDocument.MaxDepth) + "]");
        TomlDocument.Parse(Keys(TomlDocument.MaxDepth + 1) + " = 1");
        Assert.Throws<TomlException>(() => TomlDocument.Parse("[" + Keys(TomlDocument.MaxDepth + 1) + "]"));
        Assert.Throws<TomlException>(() => TomlDocument.Parse(Keys(TomlDocument.MaxDepth + 2) + " = 1"));
        // An array of tables is one level and each of its tables another.
        TomlDocument.Parse("[[" + Keys(TomlDocument.MaxDepth - 1) + "]]");
        Assert.Throws<TomlException>(() => TomlDocument.Parse("[[" + Keys(TomlDocument.MaxDepth) + "]]"));
    }
}
