using ResMgrLite.Config.Toml;

namespace ResMgrLite.Config.Tests.Toml;

public sealed class TomlDocumentModelTests
{
    [Fact]
    public void Nodes_remember_where_their_key_and_value_stand()
    {
        var root = TomlDocument.Parse("# header\n[cpuManager]\n  policy = \"static\"\n  [cpuManager.policyOptions]\n  full-pcpus-only = true\n");

        Assert.True(root.TryGetValue("cpuManager", out var section));
        var cpuManager = Assert.IsType<TomlTable>(section);
        Assert.Equal(new TomlPosition(2, 2), cpuManager.KeyPosition);
        Assert.True(cpuManager.TryGetValue("policy", out var policy));
        Assert.Equal(new TomlPosition(3, 3), policy.KeyPosition);
        Assert.Equal(new TomlPosition(3, 12), policy.Position);
        Assert.Equal("static", Assert.IsType<TomlScalar>(policy).StringValue);
        Assert.True(cpuManager.TryGetValue("policyOptions", out var options));
        Assert.True(((TomlTable)options).TryGetValue("full-pcpus-only", out var flag));
        Assert.Equal(new TomlPosition(5, 3), flag.KeyPosition);
        Assert.True(((TomlScalar)flag).BooleanValue);
    }

    [Fact]
    public void Entries_keep_document_order()
    {
        var root = TomlDocument.Parse("z = 1\na = 2\nm = 3\n");

        Assert.Equal(["z", "a", "m"], root.Entries.Select(e => e.Key));
    }

    [Theory]
    [InlineData("x = 1979-05-27T07:32:00.999999999999-07:30", "1979-05-27T07:32:00.999999999-07:30", TomlNodeKind.OffsetDateTime)]
    [InlineData("x = 1979-05-27 07:32:00.5", "1979-05-27T07:32:00.500", TomlNodeKind.LocalDateTime)]
    [InlineData("x = 2000-02-29", "2000-02-29", TomlNodeKind.LocalDate)]
    [InlineData("x = 23:59:60", "23:59:60", TomlNodeKind.LocalTime)]
    public void Date_times_keep_their_kind_and_print_canonically(string toml, string expected, object kindValue)
    {
        TomlNodeKind kind = (TomlNodeKind)kindValue;
        var value = (TomlScalar)TomlDocument.Parse(toml).Entries.Single().Value;

        Assert.Equal(kind, value.Kind);
        Assert.Equal(expected, value.ToCanonicalString());
    }

    [Theory]
    [InlineData("x = -9223372036854775808", long.MinValue)]
    [InlineData("x = 0x7FFF_FFFF_FFFF_FFFF", long.MaxValue)]
    [InlineData("x = 0o755", 493L)]
    [InlineData("x = 0b1010", 10L)]
    [InlineData("x = +1_000", 1000L)]
    public void Integers_in_every_base(string toml, long expected)
    {
        var value = (TomlScalar)TomlDocument.Parse(toml).Entries.Single().Value;

        Assert.Equal(expected, value.IntegerValue);
    }

    [Theory]
    [InlineData("x = 0x8000000000000000")]
    [InlineData("x = -9223372036854775809")]
    [InlineData("x = 1e400")]
    public void Out_of_range_numbers_are_rejected(string toml)
    {
        Assert.Throws<TomlException>(() => TomlDocument.Parse(toml));
    }

    [Fact]
    public void A_byte_order_mark_is_skipped_but_only_at_the_start()
    {
        byte[] withBom = [0xEF, 0xBB, 0xBF, .. "a = 1"u8];
        byte[] bomInside = [.. "a = 1\n"u8, 0xEF, 0xBB, 0xBF];

        Assert.Equal(1, ((TomlScalar)TomlDocument.Parse(withBom).Entries.Single().Value).IntegerValue);
        Assert.Throws<TomlException>(() => TomlDocument.Parse(bomInside));
    }
}
