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
    /// <remarks>
    /// The state file goes next to the log, inside the sandbox: the default /var/lib/resmgrlite
    /// would carry one sandbox's allocations into the next (docs/state.md).
    /// </remarks>
    public static string StaticCpuManager(string logPath) =>
        $"""
        # Written by the ResMgrLite end-to-end harness.
        [state]
        directory = "{Path.GetDirectoryName(logPath)}/state"

        [log]
        target = "{logPath}"
        level = "debug"

        [cpuManager]
        policy = "static"
        reservedSystemCPUs = "{ReservedCpus}"
        # A release widens the shared pool at the next reconcile pass; a short period keeps the runs short.
        reconcilePeriod = "1s"

        """;

    /// <summary>The metrics endpoint on <paramref name="listenAddress"/> (append to a configuration above).</summary>
    public static string MetricsOn(string listenAddress) =>
        $"""

        [metrics]
        listenAddress = "{listenAddress}"

        """;

    /// <summary>The same, logging into the sandbox directory (resolved when the sandbox installs the plugin).</summary>
    public static string StaticCpuManagerLoggingToSandbox() => StaticCpuManager(PreLaunchedPlugin.SandboxPlaceholder + "/resmgrlite.log");
}
