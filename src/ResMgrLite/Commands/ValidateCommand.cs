using ResMgrLite.Config;

namespace ResMgrLite.Commands;

/// <summary>
/// <c>resmgrlite validate [--config FILE] [--sysfs DIR]</c>: prints every configuration problem
/// with file:line:column and exits 0 (valid) or 1. The caller discovers <paramref name="machine"/> from sysfs.
/// </summary>
internal static class ValidateCommand
{
    internal static int Run(string? configPath, MachineFacts machine, TextWriter stdout, TextWriter stderr) =>
        ConfigValidationReport.Run(configPath, machine, Environment.GetEnvironmentVariables(), stdout, stderr);
}
