using ResMgrLite.CriTool.Cri;
using ResMgrLite.CriTool.Kube;

namespace ResMgrLite.EndToEnd.Tests.Vm;

/// <summary>
/// The first part of the VM scenario (<see cref="VmScenarioTests"/>): containerd without a plugin,
/// and what runc alone does with CRI values on cgroup v2 — the baseline the plugin part
/// (<see cref="PluginScenario"/>) builds on: pods of every QoS class, an UpdateContainerResources,
/// and their removal. docs/vm-e2e.md describes the whole setup.
/// </summary>
internal static class RuntimeScenario
{
    public static async Task RunAsync(ScenarioChecks checks, TestVm vm, CancellationToken token)
    {
        var guaranteed = await vm.StepAsync("run the Guaranteed pod", () => vm.Pods.RunAsync(Pod("vm-guaranteed", "main", new(2000, Mi(128)), new(2000, Mi(128))), token));
        var burstable = await vm.StepAsync("run the Burstable pod", () => vm.Pods.RunAsync(Pod("vm-burstable", "main", new(250, Mi(64)), new(0, Mi(128))), token));
        var bestEffort = await vm.StepAsync("run the BestEffort pod", () => vm.Pods.RunAsync(Pod("vm-besteffort", "main", ResourceAmounts.None, ResourceAmounts.None), token));
        RunningPod[] pods = [guaranteed, burstable, bestEffort];

        var snapshot = await vm.StepAsync("read the cgroups", () => vm.ReadCgroupsAsync(
            ["/kubepods", .. pods.Select(p => p.CgroupParent), .. pods.Select(p => GuestChecks.ContainerCgroup(p, "main"))], token));
        CheckCriResources(checks, snapshot, pods);

        await vm.StepAsync("UpdateContainerResources", () => CheckCriUpdateAsync(checks, vm, burstable, token));
        await vm.StepAsync("remove the pods", () => GuestChecks.TeardownAsync(checks, vm, pods, token));
    }

    private static void CheckCriResources(ScenarioChecks checks, CgroupSnapshot snapshot, IReadOnlyList<RunningPod> pods)
    {
        const VmAssertionGroup group = VmAssertionGroup.CriResources;
        var subtree = (snapshot.Read("/kubepods", "cgroup.subtree_control") ?? "").Split(' ');
        foreach (var controller in new[] { "cpuset", "cpu", "memory" })
        {
            checks.True(group, subtree.Contains(controller), $"runc enabled {controller} below /kubepods (subtree_control '{string.Join(' ', subtree)}')");
        }

        foreach (var pod in pods)
        {
            var cgroup = GuestChecks.ContainerCgroup(pod, "main");
            var requested = pod.Container("main").RequestedResources;
            var what = $"{pod.Spec.QosClass} container {cgroup}";
            checks.True(group, snapshot.Exists(pod.CgroupParent), $"pod cgroup {pod.CgroupParent} exists");
            checks.True(group, snapshot.Exists(cgroup), $"{what} exists");
            checks.Equal(group, RuncCgroupV2.MemoryMax(requested.MemoryLimitInBytes), snapshot.Read(cgroup, "memory.max"), $"{what} memory.max");
            checks.Equal(group, RuncCgroupV2.CpuMax(requested.CpuQuota, KubeletFormulas.QuotaPeriodMicroseconds), snapshot.Read(cgroup, "cpu.max"), $"{what} cpu.max");
            checks.Equal(group, RuncCgroupV2.CpuWeight(requested.CpuShares), snapshot.Read(cgroup, "cpu.weight"), $"{what} cpu.weight");
            // Nobody narrows cpusets without a plugin: the container may use the whole machine.
            checks.Equal(group, "0-7", snapshot.Read(cgroup, "cpuset.cpus.effective"), $"{what} cpuset.cpus.effective");
            checks.Equal(group, "0-1", snapshot.Read(cgroup, "cpuset.mems.effective"), $"{what} cpuset.mems.effective");
        }
    }

    /// <summary>
    /// UpdateContainerResources with a node-1 cpuset and memory protection in `unified`: what the
    /// plugin's adjustments will rely on runc to write (spec/testbed-facts.md: runc applied cpuset
    /// cpus/mems and memory.min/low/high both from CRI `unified` and from an NRI adjustment).
    /// </summary>
    private static async Task CheckCriUpdateAsync(ScenarioChecks checks, TestVm vm, RunningPod pod, CancellationToken cancellationToken)
    {
        const VmAssertionGroup group = VmAssertionGroup.CriUpdate;
        var container = pod.Container("main");
        var update = container.RequestedResources.Clone();
        update.CpusetCpus = "4-5";
        update.CpusetMems = "1";
        update.Unified["memory.min"] = Mi(16).ToString(System.Globalization.CultureInfo.InvariantCulture);
        update.Unified["memory.low"] = Mi(32).ToString(System.Globalization.CultureInfo.InvariantCulture);
        update.Unified["memory.high"] = Mi(96).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await vm.Pods.UpdateResourcesAsync(container.Id, update, cancellationToken);

        var cgroup = GuestChecks.ContainerCgroup(pod, "main");
        var snapshot = await vm.ReadCgroupsAsync([cgroup], cancellationToken);
        checks.Equal(group, "4-5", snapshot.Read(cgroup, "cpuset.cpus"), $"{cgroup} cpuset.cpus after the update");
        checks.Equal(group, "4-5", snapshot.Read(cgroup, "cpuset.cpus.effective"), $"{cgroup} cpuset.cpus.effective after the update");
        checks.Equal(group, "1", snapshot.Read(cgroup, "cpuset.mems"), $"{cgroup} cpuset.mems after the update");
        foreach (var (file, value) in update.Unified)
        {
            checks.Equal(group, value, snapshot.Read(cgroup, file), $"{cgroup} {file} after the update");
        }

        checks.Equal(group, RuncCgroupV2.MemoryMax(update.MemoryLimitInBytes), snapshot.Read(cgroup, "memory.max"), $"{cgroup} memory.max kept by the update");
    }

    private static PodSpec Pod(string name, string container, ResourceAmounts requests, ResourceAmounts limits) =>
        new(name, [new ContainerSpec(container, requests, limits)]);

    private static long Mi(long count) => ResourceAmounts.Mebibytes(count);
}
