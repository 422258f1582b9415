using ResMgrLite.CriTool.Sandbox;

namespace ResMgrLite.EndToEnd.Tests.Support;

/// <summary>The published static binary ($RESMGRLITE_BINARY) in its plugin roles.</summary>
internal static class PublishedPlugin
{
    /// <summary>The file name containerd needs in plugin_path: NN-name (spec/nri-protocol.md §1.3).</summary>
    public const string PreLaunchedFileName = "50-resmgrlite";

    private static readonly Lazy<string?> LazyNotWiredReason = new(ProbeRunCommand);

    /// <summary>Null when `resmgrlite run --help` succeeds; otherwise why the plugin tests cannot run yet.</summary>
    public static string? NotWiredReason => LazyNotWiredReason.Value;

    public static PreLaunchedPlugin PreLaunched() =>
        new(E2eEnvironment.Current.RequireBinary(), PreLaunchedFileName, PluginConfig.LogToSandbox());

    private static string? ProbeRunCommand()
    {
        var environment = E2eEnvironment.Current;
        if (!File.Exists(environment.BinaryPath))
        {
            // Not a skip: the test then fails with RequireBinary's message.
            return null;
        }

        try
        {
            ScriptRunner.Run(environment.BinaryPath, ["run", "--help"], environment.RepoRoot, TimeSpan.FromSeconds(20));
            return null;
        }
        catch (InvalidOperationException exception)
        {
            return $"the published binary {environment.BinaryPath} has no working `run` command yet "
                + $"(the NRI plugin is not wired into Program.cs): {exception.Message.Split('\n')[0]}";
        }
    }
}
