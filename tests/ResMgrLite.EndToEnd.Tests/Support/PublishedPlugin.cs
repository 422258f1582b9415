using ResMgrLite.CriTool.Sandbox;

namespace ResMgrLite.EndToEnd.Tests.Support;

/// <summary>The published static binary ($RESMGRLITE_BINARY) in its plugin roles.</summary>
internal static class PublishedPlugin
{
    /// <summary>The file name containerd needs in plugin_path: NN-name (docs/nri-rules.md §1.3).</summary>
    public const string PreLaunchedFileName = "50-resmgrlite";

    /// <summary>What containerd (1.7.24 and 2.1.9 alike) logs when the pre-launched plugin registered.</summary>
    public const string RegisteredLogText = $"registered as \\\"{PreLaunchedFileName}\\\"";

    public static PreLaunchedPlugin PreLaunched() =>
        new(E2eEnvironment.Current.RequireBinary(), PreLaunchedFileName, PluginConfig.StaticCpuManagerLoggingToSandbox());

    /// <summary>Starts the binary as an external plugin of <paramref name="sandbox"/> with the static CPU manager.</summary>
    public static ExternalPlugin StartExternal(ContainerdSandbox sandbox, string logName)
    {
        var logFile = Path.Combine(sandbox.Directory, logName + ".log");
        var configFile = Path.Combine(sandbox.Directory, logName + ".toml");
        File.WriteAllText(configFile, PluginConfig.StaticCpuManager(logFile));
        return ExternalPlugin.Start(E2eEnvironment.Current.RequireBinary(), sandbox.NriSocketPath, configFile, logFile);
    }

    public static string ExternalLogPath(ContainerdSandbox sandbox, string logName) => Path.Combine(sandbox.Directory, logName + ".log");
}
