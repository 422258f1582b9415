using ResMgrLite.Nri;
using ResMgrLite.Plugin;

namespace ResMgrLite.Tests.Plugin;

/// <summary>A pre-launched plugin's early lines wait for the configured target (no stray default log file).</summary>
public sealed class PluginLogHoldTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("plugin-log-hold-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Held_lines_go_to_the_configured_file_and_never_to_the_default()
    {
        string defaultFile = Path.Combine(_directory, "default.log");
        string configured = Path.Combine(_directory, "configured.log");
        using (var log = new PluginLog(defaultFile, ProtocolLogLevel.Info, holdUntilReleased: true))
        {
            log.Write(ProtocolLogLevel.Info, "registered");
            Assert.False(File.Exists(defaultFile));
            log.Redirect(configured);
            log.Write(ProtocolLogLevel.Info, "configured");
        }
        Assert.False(File.Exists(defaultFile));
        string[] lines = File.ReadAllLines(configured);
        Assert.EndsWith("INFO registered", lines[0], StringComparison.Ordinal);
        Assert.EndsWith("INFO configured", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Held_lines_reach_the_default_file_when_released_or_disposed()
    {
        string released = Path.Combine(_directory, "released.log");
        using (var log = new PluginLog(released, ProtocolLogLevel.Info, holdUntilReleased: true))
        {
            log.Write(ProtocolLogLevel.Warning, "early");
            log.Release();
            Assert.Contains("WARN early", File.ReadAllText(released), StringComparison.Ordinal);
        }

        string disposed = Path.Combine(_directory, "disposed.log");
        using (var log = new PluginLog(disposed, ProtocolLogLevel.Info, holdUntilReleased: true))
        {
            for (int i = 0; i < PluginLog.MaxHeldLines + 5; i++)
            {
                log.Write(ProtocolLogLevel.Info, $"line {i}");
            }
        }
        string[] lines = File.ReadAllLines(disposed);
        Assert.Equal(PluginLog.MaxHeldLines + 1, lines.Length);
        Assert.Contains("5 early log lines were dropped", lines[^1], StringComparison.Ordinal);
    }
}
