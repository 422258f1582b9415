using System.Globalization;
using ResMgrLite.TestSupport;

namespace ResMgrLite.Install.Tests;

/// <summary>
/// The real containerd runtimes the end-to-end tests run on (tests/e2e/runtimes, fetched into
/// .work/e2e by ensure_e2e_deps of tests/e2e/deps.sh): their names and the configuration format
/// each reads natively. Scripts/containerd-dropin.sh finds the binaries itself, through deps.sh.
/// </summary>
internal static class RealContainerd
{
    /// <summary>One containerd at a time (and none beside other tests' sandboxes in this process).</summary>
    public const string Collection = "real containerd";

    public static string Table => Path.Combine(RepoPaths.Root, "tests", "e2e", "runtimes");

    /// <summary>The file ensure_e2e_deps writes once every runtime is unpacked.</summary>
    public static string EnvFile => Path.Combine(RepoPaths.Root, ".work", "e2e", "env");

    /// <summary>Each runtime's name ("2.1") and native configuration version (3), newest first.</summary>
    public static IReadOnlyList<(string Name, int ConfigVersion)> Runtimes { get; } = ReadTable();

    /// <summary>Theory data: every runtime whose native configuration version is one of <paramref name="versions"/>.</summary>
    public static TheoryData<string> Reading(params int[] versions)
    {
        var data = new TheoryData<string>();
        foreach ((string name, int configVersion) in Runtimes)
        {
            if (Array.IndexOf(versions, configVersion) >= 0)
            {
                data.Add(name);
            }
        }
        return data;
    }

    public static int ConfigVersionOf(string runtime)
    {
        foreach ((string name, int configVersion) in Runtimes)
        {
            if (name == runtime)
            {
                return configVersion;
            }
        }
        throw new ArgumentException($"{runtime} is not in {Table}", nameof(runtime));
    }

    private static List<(string, int)> ReadTable()
    {
        var runtimes = new List<(string, int)>();
        foreach (string raw in File.ReadAllLines(Table))
        {
            string[] fields = raw.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0 || fields[0].StartsWith('#'))
            {
                continue;
            }
            Assert.True(fields.Length == 5, $"{Table}: '{raw}' is not 'name debian-version suite nri config'");
            runtimes.Add((fields[0], int.Parse(fields[4], CultureInfo.InvariantCulture)));
        }
        Assert.NotEmpty(runtimes);
        return runtimes;
    }
}

[CollectionDefinition(RealContainerd.Collection, DisableParallelization = true)]
public sealed class RealContainerdCollection;

/// <summary>Needs root and the fetched runtimes; skipped with the reason otherwise.</summary>
public sealed class RealContainerdTheoryAttribute : TheoryAttribute
{
    public RealContainerdTheoryAttribute()
    {
        if (!RootFactAttribute.IsRoot)
        {
            Skip = "needs root (containerd, mount and PID namespaces)";
        }
        else if (!File.Exists(RealContainerd.EnvFile))
        {
            Skip = $"no {RealContainerd.EnvFile}: the real runtimes are not fetched (as root, ./build.sh test runs ensure_e2e_deps of tests/e2e/deps.sh first)";
        }
    }
}
