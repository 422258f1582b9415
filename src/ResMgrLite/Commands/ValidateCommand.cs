using ResMgrLite.Config;
using ResMgrLite.Config.Sources;

namespace ResMgrLite.Commands;

/// <summary>
/// <c>resmgrlite validate [--config FILE] [--sysfs DIR]</c>: prints every configuration problem
/// with file:line:column and exits 0 (valid) or 1, saying how to put a fixed configuration into
/// effect; for a valid configuration it then prints every conflict with the kubelet's own
/// configuration file (<see cref="KubeletConfigCheck"/>), each of which also makes it exit 1. The
/// caller discovers <paramref name="machine"/> from sysfs.
/// </summary>
internal static class ValidateCommand
{
    /// <summary>The command line was unusable (an empty --config), so nothing was checked.</summary>
    public const int ExitUsage = 2;

    internal static int Run(string? configPath, MachineFacts machine, TextWriter stdout, TextWriter stderr, string kubeletConfigPath = KubeletConfigCheck.DefaultPath)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        if (configPath is { Length: 0 })
        {
            stderr.WriteLine("resmgrlite validate: --config was given an empty file name: name the configuration file, e.g. --config /etc/nri/conf.d/90-resmgrlite.conf, or leave --config out to check the defaults");
            return ExitUsage;
        }
        ConfigDocument? file = configPath is null ? null : ConfigFileReader.Read(configPath);
        System.Collections.IDictionary environment = Environment.GetEnvironmentVariables();
        int exit = ConfigValidationReport.Run(file, machine, environment, stdout, stderr);
        if (exit != ConfigValidationReport.ExitValid)
        {
            return exit;
        }
        ConfigLoadResult loaded = ConfigLoader.LoadWithEnvironment(file, environment, machine);
        int conflicts = KubeletConfigCheck.Run(loaded.Settings!, kubeletConfigPath, stdout);
        if (conflicts > 0)
        {
            stderr.WriteLine($"{kubeletConfigPath}: {conflicts} conflict{(conflicts == 1 ? "" : "s")} with the kubelet");
            return ConfigValidationReport.ExitInvalid;
        }
        return ConfigValidationReport.ExitValid;
    }
}
