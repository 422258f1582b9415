namespace ResMgrLite.CriTool.Sandbox;

/// <summary>
/// The plugin configuration (TOML, the configuration layer's format) the tests and the demo hand
/// to a pre-launched resmgrlite through conf.d. A pre-launched plugin gets no arguments and an
/// empty environment, so its log file can only come from here: log.target takes an absolute
/// file path (docs/configuration.md); unknown keys are refused, so only known keys go here.
/// </summary>
internal static class PluginConfig
{
    public static string LogToFile(string logPath) =>
        $"""
        # Written by the ResMgrLite end-to-end harness.
        [log]
        target = "{logPath}"
        level = "debug"

        """;

    /// <summary>Logs into the sandbox directory (resolved when the sandbox installs the plugin).</summary>
    public static string LogToSandbox() => LogToFile(PreLaunchedPlugin.SandboxPlaceholder + "/resmgrlite.log");
}
