using System.Runtime.InteropServices;
using ResMgrLite.CriTool.Sandbox;

namespace ResMgrLite.EndToEnd.Tests.Vm;

/// <summary>
/// Where the VM scripts (tests/vm) and their cached downloads ($ROOT/.work/vm) are, whether the VM
/// can run here at all, and the KEY=value file tests/vm/deps.sh writes.
/// </summary>
internal sealed class VmEnvironment
{
    private static readonly TimeSpan DepsTimeout = TimeSpan.FromMinutes(10);
    private static readonly Lazy<VmEnvironment> LazyCurrent = new(() => new VmEnvironment(E2eEnvironment.Current));

    private readonly Lock _depsLock = new();
    private IReadOnlyDictionary<string, string>? _deps;

    private VmEnvironment(E2eEnvironment e2e)
    {
        E2e = e2e;
    }

    public static VmEnvironment Current => LazyCurrent.Value;

    public E2eEnvironment E2e { get; }

    public string ScriptsDirectory => Path.Combine(E2e.RepoRoot, "tests", "vm");

    public string WorkDirectory => Path.Combine(E2e.RepoRoot, ".work", "vm");

    /// <summary>
    /// Null when the VM can run. Software emulation (TCG) needs no KVM, so the only hosts where it
    /// is impossible are non-x86_64 ones (the guest kernel and binaries are amd64 and TCG of
    /// x86_64 on another architecture is far beyond the time budget) and non-root runs, which
    /// cannot install qemu or unpack the kernel package (CI runs as root).
    /// </summary>
    public string? NotRunnableReason
    {
        get
        {
            if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
            {
                return $"the test VM needs an x86_64 Linux host (this is {RuntimeInformation.OSDescription} on {RuntimeInformation.OSArchitecture})";
            }

            return E2e.IsRoot
                ? null
                : "needs root to install qemu-system-x86 and unpack the kernel package (tests/vm/deps.sh): run ./build.sh test as root";
        }
    }

    /// <summary>
    /// tests/vm/deps.sh's KEY=value file; ensure_vm_deps runs once per test process first (cheap
    /// when everything is cached), so a plain `dotnet test` as root works without ./build.sh.
    /// </summary>
    public IReadOnlyDictionary<string, string> Deps
    {
        get
        {
            lock (_depsLock)
            {
                if (_deps is null)
                {
                    ScriptRunner.Run("bash", ["-c", "set -euo pipefail; . tests/vm/deps.sh; ensure_vm_deps"], E2e.RepoRoot, DepsTimeout);
                    _deps = File.ReadAllLines(Path.Combine(WorkDirectory, "env"))
                        .Select(line => line.Split('=', 2))
                        .Where(parts => parts.Length == 2)
                        .ToDictionary(parts => parts[0], parts => parts[1], StringComparer.Ordinal);
                }

                return _deps;
            }
        }
    }

    public string WorkloadImage => Deps["E2E_WORKLOAD_IMAGE"];

    public string SandboxImage => Deps["E2E_SANDBOX_IMAGE"];
}
