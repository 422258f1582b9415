using ResMgrLite.CriTool.Sandbox;

namespace ResMgrLite.EndToEnd.Tests.Support;

/// <summary>The published static binary ($RESMGRLITE_BINARY) in its plugin roles.</summary>
internal static class PublishedPlugin
{
    /// <summary>The file name containerd needs in plugin_path: NN-name (spec/nri-protocol.md §1.3).</summary>
    public const string PreLaunchedFileName = "50-resmgrlite";

    private static readonly Lazy<string?> LazyNotWiredReason = new(ProbeRunCommand);

    /// <summary>
    /// Null when `resmgrlite run --help` lists the external-mode options; otherwise why a plugin
    /// cannot be run yet. The real-containerd plugin tests no longer skip on it (the plugin is wired);
    /// the VM tests (Vm/VmPluginFactAttribute) still use it.
    /// </summary>
    public static string? NotWiredReason => LazyNotWiredReason.Value;

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

    private static string? ProbeRunCommand()
    {
        var environment = E2eEnvironment.Current;
        if (!File.Exists(environment.BinaryPath))
        {
            // Not a skip: the test then fails with RequireBinary's message.
            return null;
        }

        // An unknown command followed by --help still prints the root's help and exits 0, so the
        // answer must be the run command's own help, with the options the tests pass.
        string help;
        try
        {
            help = ScriptRunner.Run(environment.BinaryPath, ["run", "--help"], environment.RepoRoot, TimeSpan.FromSeconds(20));
        }
        catch (InvalidOperationException exception)
        {
            help = exception.Message;
        }

        string[] needed = ["--socket", "--name", "--idx", "--log-file", "--log-level"];
        var missing = needed.Where(option => !help.Contains(option, StringComparison.Ordinal)).ToList();
        return missing.Count == 0
            ? null
            : $"the published binary {environment.BinaryPath} has no `run` command with {string.Join(", ", missing)} yet "
                + "(the NRI plugin is not wired into the CLI)";
    }
}
