namespace ResMgrLite;

/// <summary>The pre-launched plugin mode (containerd set NRI_PLUGIN_SOCKET), checked before any parsing.</summary>
internal static class PreLaunch
{
    public static bool TryRun(out int exitCode) => Plugin.PluginMain.TryRunPreLaunched(out exitCode);
}
