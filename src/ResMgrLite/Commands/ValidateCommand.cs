using ResMgrLite.Config;

namespace ResMgrLite.Commands;

/// <summary>
/// <c>resmgrlite validate [--config FILE] [--sysfs DIR]</c>: prints every configuration problem
/// with file:line:column, then, for a valid configuration, every conflict with the kubelet's own
/// configuration file (<see cref="KubeletConfigCheck"/>); exits 0 (valid, no conflict) or 1. The
/// caller discovers <paramref name="machine"/> from sysfs.
/// </summary>
internal static class ValidateCommand
{
    internal static int Run(string? configPath, MachineFacts machine, TextWriter stdout, TextWriter stderr, string kubeletConfigPath = KubeletConfigCheck.DefaultPath)
    {
        System.Collections.IDictionary environment = Environment.GetEnvironmentVariables();
        int exit = ConfigValidationReport.Run(configPath, machine, environment, stdout, stderr);
        if (exit != ConfigValidationReport.ExitValid)
        {
            return exit;
        }
        ConfigLoadResult loaded = ConfigLoader.LoadFile(configPath, environment, machine);
        int conflicts = KubeletConfigCheck.Run(loaded.Settings!, kubeletConfigPath, stdout);
        if (conflicts > 0)
        {
            stderr.WriteLine($"{kubeletConfigPath}: {conflicts} conflict{(conflicts == 1 ? "" : "s")} with the kubelet");
            return ConfigValidationReport.ExitInvalid;
        }
        return ConfigValidationReport.ExitValid;
    }
}
