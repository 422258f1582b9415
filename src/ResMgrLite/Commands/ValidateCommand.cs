using ResMgrLite.Config;

namespace ResMgrLite.Commands;

/// <summary>
/// <c>resmgrlite validate [--config FILE] [--sysfs DIR]</c>: prints every configuration problem
/// with file:line:column and exits 0 (valid) or 1, saying how to put a fixed configuration into
/// effect. The caller discovers <paramref name="machine"/> from sysfs.
/// </summary>
internal static class ValidateCommand
{
    /// <summary>The command line was unusable (an empty --config), so nothing was checked.</summary>
    public const int ExitUsage = 2;

    internal static int Run(string? configPath, MachineFacts machine, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        if (configPath is { Length: 0 })
        {
            stderr.WriteLine("resmgrlite validate: --config was given an empty file name: name the configuration file, e.g. --config /etc/nri/conf.d/90-resmgrlite.conf, or leave --config out to check the defaults");
            return ExitUsage;
        }
        return ConfigValidationReport.Run(configPath is null ? null : ConfigFileReader.Read(configPath), machine, Environment.GetEnvironmentVariables(), stdout, stderr);
    }
}
