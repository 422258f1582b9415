using System.Collections;

namespace ResMgrLite.Config;

/// <summary>
/// Backs <c>resmgrlite validate</c>: loads the file (plus RESMGRLITE__* overrides), checks it
/// against the machine and prints every problem as <c>file:line:column: message</c>.
/// </summary>
public static class ConfigValidationReport
{
    public const int ExitValid = 0;
    public const int ExitInvalid = 1;

    public static int Run(string? configPath, MachineFacts machine, IDictionary environment, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var result = ConfigLoader.LoadFile(configPath, environment, machine);
        foreach (var problem in result.Problems)
        {
            stdout.WriteLine(problem.ToString());
        }

        string what = configPath ?? "built-in defaults";
        if (result.IsValid)
        {
            stdout.WriteLine($"{what}: configuration is valid");
            return ExitValid;
        }

        stderr.WriteLine($"{what}: {result.Problems.Count} problem{(result.Problems.Count == 1 ? "" : "s")} found");
        return ExitInvalid;
    }
}
