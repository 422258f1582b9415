using ResMgrLite.Nri.Api;

namespace ResMgrLite.Tests.Plugin;

/// <summary>
/// NRI requests shaped the way the kubelet and containerd shape them, for a synthetic
/// 1 socket × 4 cores × 2 threads machine (siblings c, c+4) with CPU 0 reserved.
/// </summary>
internal static class PluginScenario
{
    public const string StaticCpuConfig = """
        [cpuManager]
        policy = "static"
        reservedSystemCPUs = "0"

        [log]
        level = "debug"
        """;

    /// <summary>
    /// <see cref="StaticCpuConfig"/> with the state file in <paramref name="stateDirectory"/>: every
    /// test keeps its own, since a shared one would carry allocations from test to test.
    /// </summary>
    public static string StaticCpuConfigIn(string stateDirectory) =>
        $"[state]\ndirectory = \"{stateDirectory}\"\n\n" + StaticCpuConfig;

    /// <summary>A Guaranteed pod's container with <paramref name="cpus"/> whole CPUs (shares, quota and memory limit as the kubelet writes them).</summary>
    public static CreateContainerRequest Guaranteed(string podUid, string containerId, int cpus) =>
        Create(podUid, containerId, $"/kubepods/pod{podUid}", shares: (ulong)cpus * 1024, quota: cpus * 100_000, memory: 1L << 30);

    /// <summary>A Burstable pod's container: 250m request, no limit.</summary>
    public static CreateContainerRequest Burstable(string podUid, string containerId) =>
        Create(podUid, containerId, $"/kubepods/burstable/pod{podUid}", shares: 256, quota: 0, memory: 0);

    private static CreateContainerRequest Create(string podUid, string containerId, string cgroupParent, ulong shares, long quota, long memory)
    {
        var pod = new PodSandbox
        {
            Id = "sandbox-" + podUid,
            Uid = podUid,
            Name = "pod-" + podUid,
            Namespace = "default",
            Linux = new LinuxPodSandbox { CgroupParent = cgroupParent },
        };
        var cpu = new LinuxCPU { Shares = new OptionalUInt64 { Value = shares }, Period = new OptionalUInt64 { Value = 100_000 } };
        if (quota > 0)
        {
            cpu.Quota = new OptionalInt64 { Value = quota };
        }
        var resources = new LinuxResources { Cpu = cpu };
        if (memory > 0)
        {
            resources.Memory = new LinuxMemory { Limit = new OptionalInt64 { Value = memory } };
        }
        var container = new Container
        {
            Id = containerId,
            PodSandboxId = pod.Id,
            Name = "app",
            Linux = new LinuxContainer { Resources = resources, CgroupsPath = $"{cgroupParent}/{containerId}" },
        };
        return new CreateContainerRequest { Pod = pod, Container = container };
    }
}
