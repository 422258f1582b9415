using ResMgrLite.Nri;
using ResMgrLite.Plugin;

namespace ResMgrLite.Tests.Plugin;

public sealed class PluginLogTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("plugin-log-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Writes_lines_at_or_above_the_minimum_level()
    {
        string path = Path.Combine(_directory, "a.log");
        using (var log = new PluginLog(path, ProtocolLogLevel.Info))
        {
            log.Write(ProtocolLogLevel.Debug, "hidden");
            log.Write(ProtocolLogLevel.Info, "shown");
            log.Write(ProtocolLogLevel.Error, "bad");
        }

        string[] lines = File.ReadAllLines(path);
        Assert.Equal(2, lines.Length);
        Assert.EndsWith(" INFO shown", lines[0], StringComparison.Ordinal);
        Assert.EndsWith(" ERROR bad", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Unwritable_path_falls_back_to_stderr_instead_of_throwing()
    {
        string path = Path.Combine(_directory, "missing-dir", "x.log");
        var stderr = new StringWriter();
        using var log = PluginLog.FollowingConfiguration(path, ProtocolLogLevel.Debug, standardError: stderr);

        log.Write(ProtocolLogLevel.Info, "kept");

        Assert.Equal("stderr", log.Describe());
        Assert.False(File.Exists(path));
        Assert.EndsWith("INFO kept", stderr.ToString().Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public void Redirect_moves_to_the_new_file_and_null_stops_logging()
    {
        string first = Path.Combine(_directory, "first.log");
        string second = Path.Combine(_directory, "second.log");
        using var log = new PluginLog(first, ProtocolLogLevel.Info);

        log.Write(ProtocolLogLevel.Info, "one");
        log.Redirect(second);
        log.Write(ProtocolLogLevel.Info, "two");
        log.Redirect(null);
        log.Write(ProtocolLogLevel.Info, "three");

        Assert.Equal(["one", $"log continues in {second}"], File.ReadAllLines(first).Select(l => l.Split(' ', 3)[2]));
        Assert.EndsWith("two", Assert.Single(File.ReadAllLines(second)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("debug", ProtocolLogLevel.Debug, true)]
    [InlineData("INFO", ProtocolLogLevel.Info, true)]
    [InlineData("warn", ProtocolLogLevel.Warning, true)]
    [InlineData("error", ProtocolLogLevel.Error, true)]
    [InlineData("verbose", ProtocolLogLevel.Info, false)]
    public void Parses_levels(string text, object expectedValue, bool ok)
    {
        ProtocolLogLevel expected = (ProtocolLogLevel)expectedValue;
        Assert.Equal(ok, PluginLog.TryParseLevel(text, out ProtocolLogLevel level));
        Assert.Equal(expected, level);
    }
}
