namespace ResMgrLite.CriTool.Sandbox;

/// <summary>
/// Where the repository, the published binary and the end-to-end dependencies are, and whether
/// this process may run the real-containerd tests at all (root is required).
/// </summary>
internal sealed class E2eEnvironment
{
    /// <summary>Sandboxes live on tmpfs with short paths: unix socket paths are limited to 108 bytes.</summary>
    public const string SandboxRoot = "/run/resmgrlite-e2e";

    private static readonly Lazy<E2eEnvironment> LazyCurrent = new(() => new E2eEnvironment(FindRepoRoot()));

    private readonly Lock _depsLock = new();
    private IReadOnlyDictionary<string, string>? _deps;

    private E2eEnvironment(string repoRoot)
    {
        RepoRoot = repoRoot;
        var binary = Environment.GetEnvironmentVariable("RESMGRLITE_BINARY");
        BinaryPath = string.IsNullOrEmpty(binary) ? Path.Combine(repoRoot, "out", "resmgrlite") : Path.GetFullPath(binary);
        IsRoot = ReadEffectiveUid() == 0;
    }

    public static E2eEnvironment Current => LazyCurrent.Value;

    public string RepoRoot { get; }

    /// <summary>$RESMGRLITE_BINARY (set by ./build.sh test), else out/resmgrlite.</summary>
    public string BinaryPath { get; }

    public bool IsRoot { get; }

    public string ScriptsDirectory => Path.Combine(RepoRoot, "tests", "e2e");

    public string WorkDirectory => Path.Combine(RepoRoot, ".work", "e2e");

    /// <summary>Null when the real-containerd tests can run; otherwise the reason they cannot.</summary>
    public string? NotRunnableReason => IsRoot
        ? null
        : "needs root (containerd, runc, mounts and cgroups): run ./build.sh test as root";

    public string WorkloadImage => Deps["E2E_WORKLOAD_IMAGE"];

    public string SandboxImage => Deps["E2E_SANDBOX_IMAGE"];

    /// <summary>The unpacked containerd binary of <paramref name="runtime"/>.</summary>
    public string ContainerdBinary(ContainerdRuntime runtime) => Deps[$"E2E_CONTAINERD_{runtime.EnvKey}"];

    /// <summary>The unpacked ctr of <paramref name="runtime"/>.</summary>
    public string CtrBinary(ContainerdRuntime runtime) => Deps[$"E2E_CTR_{runtime.EnvKey}"];

    /// <summary>
    /// The KEY=value file written by tests/e2e/deps.sh. When it is missing (tests run without
    /// ./build.sh), ensure_e2e_deps is run once from here so a plain `dotnet test` works as root.
    /// </summary>
    public IReadOnlyDictionary<string, string> Deps
    {
        get
        {
            lock (_depsLock)
            {
                if (_deps is null)
                {
                    var envFile = Path.Combine(WorkDirectory, "env");
                    // An env file written before a runtime was added lacks its keys: fetch again.
                    if (!File.Exists(envFile) || !ContainerdRuntime.All.All(runtime => File.ReadAllText(envFile).Contains($"E2E_CONTAINERD_{runtime.EnvKey}=", StringComparison.Ordinal)))
                    {
                        ScriptRunner.Run("bash", ["-c", "set -euo pipefail; . tests/e2e/deps.sh; ensure_e2e_deps"], RepoRoot, TimeSpan.FromMinutes(10));
                    }

                    _deps = File.ReadAllLines(envFile)
                        .Select(line => line.Split('=', 2))
                        .Where(parts => parts.Length == 2)
                        .ToDictionary(parts => parts[0], parts => parts[1], StringComparer.Ordinal);
                }

                return _deps;
            }
        }
    }

    public string RequireBinary()
    {
        if (!File.Exists(BinaryPath))
        {
            throw new FileNotFoundException(
                $"the published plugin binary {BinaryPath} is missing: run ./build.sh (or set RESMGRLITE_BINARY)", BinaryPath);
        }

        return BinaryPath;
    }

    private static string FindRepoRoot()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("RESMGRLITE_REPO");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return Path.GetFullPath(fromEnvironment);
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "build.sh")) && File.Exists(Path.Combine(directory.FullName, "ResMgrLite.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (set RESMGRLITE_REPO)");
    }

    private static int ReadEffectiveUid()
    {
        // "Uid:\treal\teffective\tsaved\tfs" — no P/Invoke needed.
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                var fields = line.Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
                return int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return -1;
    }
}
