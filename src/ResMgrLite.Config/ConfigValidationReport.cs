using System.Collections;
using ResMgrLite.Config.Sources;

namespace ResMgrLite.Config;

/// <summary>
/// Backs <c>resmgrlite validate</c>: takes the file's document (read by the caller through the host
/// layer), adds RESMGRLITE__* overrides, checks them against the machine and prints every problem as
/// <c>file:line:column: message</c>, then how to put a fixed configuration into effect.
/// </summary>
internal static class ConfigValidationReport
{
    public const int ExitValid = 0;
    public const int ExitInvalid = 1;

    /// <summary>What an operator does once the configuration is fixed (the plugin reads it only when it is configured).</summary>
    public const string Recovery =
        "restart containerd (pre-launched plugin: systemctl restart containerd) or the external plugin (resmgrlite run), " +
        "which read the configuration when they start; until then an invalid configuration leaves resource management off " +
        "(containers start without CPU pinning)";

    public static int Run(ConfigDocument? file, MachineFacts machine, IDictionary environment, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var result = ConfigLoader.LoadWithEnvironment(file, environment, machine);
        foreach (var problem in result.Problems)
        {
            stdout.WriteLine(problem.ToString());
        }

        string what = file?.SourceName ?? "built-in defaults";
        if (result.IsValid)
        {
            stdout.WriteLine($"{what}: configuration is valid");
            return ExitValid;
        }

        stderr.WriteLine($"{what}: {result.Problems.Count} problem{(result.Problems.Count == 1 ? "" : "s")} found; fix {(result.Problems.Count == 1 ? "it" : "them")}, then: {Recovery}");
        return ExitInvalid;
    }
}
