namespace ResMgrLite.CriTool.Sandbox;

/// <summary>
/// The plugin configuration (TOML, docs/configuration.md) the tests and the demo hand to
/// resmgrlite: a pre-launched plugin gets it through conf.d (it has no arguments and an empty
/// environment), an external one through --config. Unknown keys are refused, so only documented
/// keys go here.
/// </summary>
internal static class PluginConfig
{
    /// <summary>The CPU kept for the system: CPU 0 exists on every machine.</summary>
    public const string ReservedCpus = "0";

    /// <summary>
    /// Static CPU manager with CPU 0 reserved (Guaranteed containers with whole CPUs get exclusive
    /// CPUs, everything else the shared pool) and a debug log in <paramref name="logPath"/>.
    /// </summary>
    public static string StaticCpuManager(string logPath) =>
        $"""
        # Written by the ResMgrLite end-to-end harness.
        [log]
        target = "{logPath}"
        level = "debug"

        [cpuManager]
        policy = "static"
        reservedSystemCPUs = "{ReservedCpus}"

        """;

    /// <summary>The same, logging into the sandbox directory (resolved when the sandbox installs the plugin).</summary>
    public static string StaticCpuManagerLoggingToSandbox() => StaticCpuManager(PreLaunchedPlugin.SandboxPlaceholder + "/resmgrlite.log");
}
