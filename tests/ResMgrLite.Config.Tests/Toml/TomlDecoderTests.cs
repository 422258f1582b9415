using System.Text;
using System.Text.Json;
using ResMgrLite.Config.Toml;

namespace ResMgrLite.Config.Tests.Toml;

public sealed class TomlDecoderTests
{
    [Fact]
    public void Valid_input_writes_tagged_json_and_exits_0()
    {
        var (code, stdout, stderr) = Decode("a = 0xff\nb = [1.5, -inf, 1e300, -0.0]\n[t]\nd = 1979-05-27 07:32:00z\n");

        Assert.Equal(TomlDecoder.ExitSuccess, code);
        Assert.Equal("", stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal("integer", root.GetProperty("a").GetProperty("type").GetString());
        Assert.Equal("255", root.GetProperty("a").GetProperty("value").GetString());
        Assert.Equal("1.5", root.GetProperty("b")[0].GetProperty("value").GetString());
        Assert.Equal("-inf", root.GetProperty("b")[1].GetProperty("value").GetString());
        Assert.Equal("1e+300", root.GetProperty("b")[2].GetProperty("value").GetString());
        Assert.Equal("-0", root.GetProperty("b")[3].GetProperty("value").GetString());
        Assert.Equal("datetime", root.GetProperty("t").GetProperty("d").GetProperty("type").GetString());
        Assert.Equal("1979-05-27T07:32:00Z", root.GetProperty("t").GetProperty("d").GetProperty("value").GetString());
    }

    [Fact]
    public void Invalid_input_writes_a_positioned_message_to_stderr_and_exits_1()
    {
        var (code, stdout, stderr) = Decode("a = 1\nb = \n");

        Assert.Equal(TomlDecoder.ExitInvalid, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("stdin:2:5: expected a value", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_input_is_an_empty_table()
    {
        var (code, stdout, _) = Decode("");

        Assert.Equal(TomlDecoder.ExitSuccess, code);
        Assert.Equal("{}", stdout.Trim());
    }

    private static (int Code, string Stdout, string Stderr) Decode(string toml)
    {
        using var stdin = new MemoryStream(Encoding.UTF8.GetBytes(toml));
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = TomlDecoder.Run(stdin, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
