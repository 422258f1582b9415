namespace ResMgrLite;

/// <summary>Detects and runs the pre-launched plugin mode (NRI_PLUGIN_SOCKET set by containerd).</summary>
internal static class PreLaunch
{
    public static bool TryRun(out int exitCode)
    {
        exitCode = 0;
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NRI_PLUGIN_SOCKET")))
        {
            return false;
        }
        Console.Error.WriteLine("resmgrlite: the NRI plugin lifecycle is not wired yet");
        exitCode = 1;
        return true;
    }
}
