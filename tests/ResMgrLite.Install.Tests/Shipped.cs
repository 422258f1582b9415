using System.Diagnostics;
using System.Text.RegularExpressions;
using ResMgrLite.TestSupport;

namespace ResMgrLite.Install.Tests;

/// <summary>Where the shipped artifacts are, and a way to run the tools that inspect them.</summary>
internal static partial class Shipped
{
    /// <summary>The project version (src/ResMgrLite/ResMgrLite.csproj), which names the package.</summary>
    public static string Version { get; } = VersionPattern().Match(File.ReadAllText(Path.Combine(RepoPaths.Root, "src/ResMgrLite/ResMgrLite.csproj"))).Groups[1].Value;

    /// <summary>Where ./build.sh package wrote its output: $RESMGRLITE_PACKAGE_DIR, else out/.</summary>
    public static string OutputDirectory
    {
        get
        {
            string? fromEnv = Environment.GetEnvironmentVariable("RESMGRLITE_PACKAGE_DIR");
            return !string.IsNullOrEmpty(fromEnv) ? fromEnv : Path.Combine(RepoPaths.Root, "out");
        }
    }

    public static string Package => Existing(Path.Combine(OutputDirectory, $"resmgrlite_{Version}_amd64.deb"));

    public static string Image => Existing(Path.Combine(OutputDirectory, $"resmgrlite_{Version}_oci.tar"));

    public static string Packaging(string relative) => Path.Combine(RepoPaths.Root, "packaging", relative);

    private static string Existing(string path)
    {
        Assert.True(File.Exists(path), $"{path} is missing: run ./build.sh package first (./build.sh test does)");
        return path;
    }

    /// <summary>Runs a program to the end; stdout and stderr are returned, nothing is thrown for a non-zero exit.</summary>
    public static (int Exit, string Stdout, string Stderr) Run(string program, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, int timeoutSeconds = 120)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', arguments)} did not finish within {timeoutSeconds} s");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    [GeneratedRegex("<Version>([^<]+)</Version>")]
    private static partial Regex VersionPattern();
}
