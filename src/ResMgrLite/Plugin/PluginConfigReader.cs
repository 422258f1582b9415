using ResMgrLite.Config;
using ResMgrLite.Config.Sources;
using ResMgrLite.Nri;
using ConfigLogLevel = ResMgrLite.Config.Settings.LogLevel;

namespace ResMgrLite.Plugin;

/// <summary>
/// Reads the logging part of the configuration a pre-launched plugin receives in Configure (the
/// drop-in file content, TOML). Only <c>log.target</c> and <c>log.level</c> matter here; the rest
/// belongs to the resource engine.
/// </summary>
internal static class PluginConfigReader
{
    /// <summary>Name the configuration problems are reported under.</summary>
    public const string SourceName = "NRI Configure config";

    /// <summary>
    /// Returns the log file and level the config asks for. <c>log.target</c> "stderr"/"stdout" (the
    /// schema default) keeps the current file, because a pre-launched plugin's stdio is /dev/null
    /// (spec/nri-protocol.md §1.3). Throws <see cref="FormatException"/> listing every problem
    /// (file:line:column) when the config is invalid; the caller keeps its defaults then.
    /// </summary>
    public static PluginLogSettings ReadLogSettings(string configText)
    {
        ConfigLoadResult result = ConfigLoader.Load([ConfigDocument.FromToml(configText, SourceName)], machine: null);
        if (result.Settings is null)
        {
            throw new FormatException(string.Join("; ", result.Problems));
        }

        string target = result.Settings.LogTarget;
        string? path = target is "stderr" or "stdout" or "" ? null : target;
        return new PluginLogSettings(path, ToProtocolLevel(result.Settings.LogLevel));
    }

    private static ProtocolLogLevel ToProtocolLevel(ConfigLogLevel level) => level switch
    {
        ConfigLogLevel.Trace or ConfigLogLevel.Debug => ProtocolLogLevel.Debug,
        ConfigLogLevel.Info => ProtocolLogLevel.Info,
        ConfigLogLevel.Warning => ProtocolLogLevel.Warning,
        _ => ProtocolLogLevel.Error,
    };
}
