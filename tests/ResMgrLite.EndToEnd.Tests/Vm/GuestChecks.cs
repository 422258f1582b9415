using ResMgrLite.CriTool.Cri;

namespace ResMgrLite.EndToEnd.Tests.Vm;

/// <summary>Checks every VM run makes: the machine qemu built, cgroup v2, teardown and power-off.</summary>
internal static class GuestChecks
{
    /// <summary>Controllers the guest init delegates (spec/testbed-facts.md: +cpu +cpuset +memory +io +pids).</summary>
    public static readonly IReadOnlyList<string> DelegatedControllers = ["cpuset", "cpu", "io", "memory", "pids"];

    /// <summary>boot.sh: -smp 8,sockets=2,cores=2,threads=2; node 0 = CPUs 0-3, node 1 = CPUs 4-7.</summary>
    public static void Topology(ScenarioChecks checks, GuestFacts facts)
    {
        const VmAssertionGroup group = VmAssertionGroup.GuestTopology;
        checks.Equal(group, "0,1", facts["nodes"], "NUMA nodes");
        checks.Equal(group, "0-3", facts.NodeCpus(0), "node 0 CPUs");
        checks.Equal(group, "4-7", facts.NodeCpus(1), "node 1 CPUs");
        checks.Equal(group, "0-7", facts["cpus.online"], "online CPUs");
        for (var cpu = 0; cpu < 8; cpu++)
        {
            var first = cpu & ~1;
            checks.Equal(group, $"{first}-{first + 1}", facts.Siblings(cpu), $"SMT siblings of CPU {cpu}");
            checks.Equal(group, cpu < 4 ? "0" : "1", facts[$"cpu{cpu}.package"], $"socket of CPU {cpu}");
        }

        checks.True(group, facts.MemoryCapacityBytes > 900L * 1024 * 1024, $"guest memory about 1 GiB (MemTotal {facts.MemoryCapacityBytes} bytes)");
    }

    public static void CgroupV2(ScenarioChecks checks, GuestFacts facts)
    {
        const VmAssertionGroup group = VmAssertionGroup.CgroupV2;
        checks.Equal(group, GuestFacts.Cgroup2Magic, facts["cgroup.fs.magic"], "file system type of /sys/fs/cgroup (cgroup2 only)");
        foreach (var controller in DelegatedControllers)
        {
            checks.True(group, facts.Controllers.Contains(controller), $"controller {controller} available ({string.Join(' ', facts.Controllers)})");
            checks.True(group, facts.SubtreeControl.Contains(controller), $"controller {controller} delegated ({string.Join(' ', facts.SubtreeControl)})");
        }
    }

    /// <summary>The cgroup of a container with the cgroupfs driver: &lt;pod cgroup parent&gt;/&lt;container id&gt;.</summary>
    public static string ContainerCgroup(RunningPod pod, string containerName) => $"{pod.CgroupParent}/{pod.Container(containerName).Id}";

    public static async Task TeardownAsync(ScenarioChecks checks, TestVm vm, IReadOnlyList<RunningPod> pods, CancellationToken cancellationToken)
    {
        var containerCgroups = pods.SelectMany(pod => pod.Containers.Select(c => $"{pod.CgroupParent}/{c.Id}")).ToList();
        foreach (var pod in pods)
        {
            await vm.Pods.RemoveAsync(pod, cancellationToken);
        }

        var after = await vm.ReadCgroupsAsync(containerCgroups, cancellationToken);
        foreach (var cgroup in containerCgroups)
        {
            checks.True(VmAssertionGroup.Teardown, !after.Exists(cgroup), $"{cgroup} removed with its container");
        }
    }

    public static async Task PowerOffAsync(ScenarioChecks checks, TestVm vm, CancellationToken cancellationToken)
    {
        var exitCode = await vm.PowerOffAsync(cancellationToken);
        checks.True(VmAssertionGroup.PowerOff, exitCode == 0, $"qemu exit code after the guest's power-off: {exitCode}");
        var console = CriTool.Sandbox.LogFile.Read(Path.Combine(vm.RunDirectory, "console.log"));
        checks.True(VmAssertionGroup.PowerOff, console.Contains("reboot: Power down", StringComparison.Ordinal), "the kernel reported \"reboot: Power down\" on the console");
        checks.True(VmAssertionGroup.PowerOff, !console.Contains("Kernel panic", StringComparison.Ordinal), "no kernel panic on the console");
    }
}
