using ResMgrLite.TestSupport;

namespace ResMgrLite.Install.Tests;

/// <summary>Finds real containerd binaries fetched for the end-to-end tests, by major version.</summary>
internal static class RealContainerd
{
    /// <summary>One containerd at a time (and none beside other tests' sandboxes in this process).</summary>
    public const string Collection = "real containerd";

    private static string E2eDirectory => Path.Combine(RepoPaths.Root, ".work", "e2e");

    private static readonly Dictionary<int, string?> Found = [];

    /// <summary>A containerd binary of that major version under .work/e2e, or null.</summary>
    public static string? Find(int major)
    {
        lock (Found)
        {
            if (!Found.TryGetValue(major, out string? path))
            {
                path = Search(major);
                Found[major] = path;
            }
            return path;
        }
    }

    private static string? Search(int major)
    {
        if (!Directory.Exists(E2eDirectory))
        {
            return null;
        }
        foreach (string candidate in Directory.EnumerateFiles(E2eDirectory, "containerd", SearchOption.AllDirectories))
        {
            if (!candidate.EndsWith("/usr/bin/containerd", StringComparison.Ordinal))
            {
                continue;
            }
            (int exit, string stdout, _) = Shipped.Run(candidate, ["--version"], timeoutSeconds: 20);
            // "containerd github.com/containerd/containerd v1.7.24 ..." or "... containerd/v2 2.1.9+unknown"
            string[] fields = stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (exit == 0 && fields.Length >= 3 && fields[2].TrimStart('v').StartsWith($"{major}.", StringComparison.Ordinal))
            {
                return candidate;
            }
        }
        return null;
    }
}

[CollectionDefinition(RealContainerd.Collection, DisableParallelization = true)]
public sealed class RealContainerdCollection;

/// <summary>Needs root and a real containerd of the given major version; skipped with the reason otherwise.</summary>
public sealed class RealContainerdFactAttribute : FactAttribute
{
    public RealContainerdFactAttribute(int major)
    {
        if (!RootFactAttribute.IsRoot)
        {
            Skip = "needs root (containerd, mount namespaces)";
        }
        else if (RealContainerd.Find(major) is null)
        {
            Skip = $"no containerd {major}.x under .work/e2e (the end-to-end dependencies fetch it: tests/e2e/deps.sh)";
        }
    }
}
