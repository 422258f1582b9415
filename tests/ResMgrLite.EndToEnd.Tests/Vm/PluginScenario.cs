using System.Globalization;
using ResMgrLite.CriTool.Cri;
using ResMgrLite.CriTool.Kube;
using ResMgrLite.Engine;

namespace ResMgrLite.EndToEnd.Tests.Vm;

/// <summary>
/// The second part of the VM scenario (<see cref="VmScenarioTests"/>): the published static binary
/// as containerd's pre-launched plugin, configured with topology manager single-numa-node, the
/// static CPU policy, the Static memory manager and Memory QoS (TieredReservation) —
/// <see cref="VmPluginConfig"/>. Every expectation belongs to a <see cref="VmAssertionGroup"/>;
/// groups of features not merged yet are listed as "not checked" in the test output and switched
/// on in <see cref="VmAssertionGroups"/>.
/// </summary>
internal static class PluginScenario
{
    private const string AllCpus = "0-7";
    private const string KubepodsCgroup = "/kubepods";
    private const string BurstableCgroup = "/kubepods/burstable";

    /// <summary>Shared-pool and parent updates are asynchronous (reconcile period 1 s): poll this long.</summary>
    private static readonly TimeSpan UpdateTimeout = TimeSpan.FromSeconds(30);

    public static async Task RunAsync(ScenarioChecks checks, TestVm vm, CancellationToken token)
    {
        await vm.StepAsync("plugin registration", () => CheckRegisteredAsync(checks, vm, token));
        // BestEffort: the shared pool, and Memory QoS's memory.high from node allocatable.
        var shared = await vm.StepAsync("run the shared-pool pod", () => vm.Pods.RunAsync(Pod("vm-shared", ResourceAmounts.None, ResourceAmounts.None), token));
        var first = await vm.StepAsync("run Guaranteed pod 1", () => vm.Pods.RunAsync(Pod("vm-exclusive-1", new(2000, Mi(128)), new(2000, Mi(128))), token));
        var second = await vm.StepAsync("run Guaranteed pod 2", () => vm.Pods.RunAsync(Pod("vm-exclusive-2", new(2000, Mi(128)), new(2000, Mi(128))), token));

        var snapshot = await vm.StepAsync("read the cgroups", () => vm.ReadCgroupsAsync(Cgroups(shared, first, second), token));
        var exclusive = CheckNumaAlignment(checks, vm.Facts, snapshot, first, second);
        CheckMemoryQos(checks, vm.Facts, snapshot, shared, first, second);
        CheckParentAggregation(checks, snapshot, [first, second], guaranteedTotal: 2 * Mi(128), burstableTotal: 0);
        await vm.StepAsync("shared pool shrinks", () => CheckSharedPoolAsync(checks, vm, shared, exclusive, "after two exclusive allocations", token));

        if (checks.IsEnabled(VmAssertionGroup.MemoryQosBurstable))
        {
            await vm.StepAsync("Burstable memory QoS", () => CheckBurstableMemoryQosAsync(checks, vm, 2 * Mi(128), token));
        }

        await vm.StepAsync("remove Guaranteed pod 2", () => vm.Pods.RemoveAsync(second, token));
        var remaining = CpuSet.Parse(snapshot.Read(GuestChecks.ContainerCgroup(first, "main"), "cpuset.cpus") ?? "");
        await vm.StepAsync("shared pool grows back", () => CheckSharedPoolAsync(checks, vm, shared, remaining, "after one release", token));
        if (checks.IsEnabled(VmAssertionGroup.ParentAggregation))
        {
            var kubepodsMin = await vm.StepAsync("parent memory.min after the release", () => WaitForAsync(
                vm, KubepodsCgroup, "memory.min", Bytes(Mi(128)), token));
            checks.Equal(VmAssertionGroup.ParentAggregation, Bytes(Mi(128)), kubepodsMin, "/kubepods memory.min after one Guaranteed pod left (§6.5)");
        }

        await vm.StepAsync("remove the pods", () => GuestChecks.TeardownAsync(checks, vm, [shared, first], token));
    }

    /// <summary>
    /// The plugin runs, containerd runs (1.7.24 would have exited had the plugin not registered;
    /// 2.x would go on without it), and containerd logged the registration.
    /// </summary>
    private static async Task CheckRegisteredAsync(ScenarioChecks checks, TestVm vm, CancellationToken cancellationToken)
    {
        var result = await vm.RunInGuestAsync(
            $"pidof {VmPluginConfig.FileName} && kill -0 \"$(cat /run/containerd.pid)\" && echo containerd-alive\n", cancellationToken);
        checks.True(VmAssertionGroup.PluginRegistered, result.ExitCode == 0 && result.Output.Contains("containerd-alive", StringComparison.Ordinal),
            $"plugin process and containerd running in the guest (exit {result.ExitCode}: {result.Output.Trim()})");
        checks.True(VmAssertionGroup.PluginRegistered,
            vm.ContainerdLog.Contains($"registered as \\\"{VmPluginConfig.FileName}\\\"", StringComparison.Ordinal),
            $"containerd logged that the plugin registered as \"{VmPluginConfig.FileName}\"");
    }

    /// <summary>Returns the union of the exclusive CPUs the two containers got.</summary>
    private static CpuSet CheckNumaAlignment(ScenarioChecks checks, GuestFacts facts, CgroupSnapshot snapshot, params RunningPod[] pods)
    {
        const VmAssertionGroup group = VmAssertionGroup.NumaAlignment;
        var union = CpuSet.Empty;
        foreach (var pod in pods)
        {
            var cgroup = GuestChecks.ContainerCgroup(pod, "main");
            var text = snapshot.Read(cgroup, "cpuset.cpus") ?? "";
            var mems = snapshot.Read(cgroup, "cpuset.mems");
            if (!CpuSet.TryParse(text, out var cpus) || cpus.IsEmpty)
            {
                checks.True(group, false, $"{cgroup} has exclusive CPUs (cpuset.cpus '{text}')");
                continue;
            }

            checks.True(group, cpus.Count == 2, $"{cgroup} got 2 CPUs (cpuset.cpus {cpus})");
            checks.True(group, !cpus.Contains(0), $"{cgroup} stays off the reserved CPU {VmPluginConfig.ReservedCpus} (cpuset.cpus {cpus})");
            var node = facts.NumaNodes.FirstOrDefault(n => cpus.IsSubsetOf(CpuSet.Parse(facts.NodeCpus(n) ?? "")), -1);
            checks.True(group, node >= 0, $"{cgroup} CPUs {cpus} lie on one NUMA node (single-numa-node)");
            checks.Equal(group, node.ToString(CultureInfo.InvariantCulture), mems, $"{cgroup} cpuset.mems is the node of its CPUs {cpus}");
            checks.True(group, CpuSet.Parse(facts.Siblings(cpus.Min()) ?? "") == cpus, $"{cgroup} CPUs {cpus} are one whole core (SMT siblings {facts.Siblings(cpus.Min())})");
            checks.True(group, !union.Overlaps(cpus), $"{cgroup} CPUs {cpus} are not given to another container ({union})");
            union = union.Union(cpus);
        }

        return union;
    }

    /// <summary>
    /// docs/kubelet-rules.md §6.2 with TieredReservation: Guaranteed → memory.min = request;
    /// BestEffort → no protection and memory.high from node allocatable (the v1.37 guard, which a
    /// v1.36 kubelet lacks: it writes no memory.high there).
    /// </summary>
    private static void CheckMemoryQos(ScenarioChecks checks, GuestFacts facts, CgroupSnapshot snapshot, RunningPod shared, params RunningPod[] guaranteed)
    {
        const VmAssertionGroup group = VmAssertionGroup.MemoryQos;
        foreach (var pod in guaranteed)
        {
            var cgroup = GuestChecks.ContainerCgroup(pod, "main");
            var memory = pod.Spec.Containers[0].Limits.MemoryBytes;
            checks.Equal(group, Bytes(memory), snapshot.Read(cgroup, "memory.min"), $"Guaranteed {cgroup} memory.min = request");
            checks.Equal(group, "0", snapshot.Read(cgroup, "memory.low"), $"Guaranteed {cgroup} memory.low not set");
            checks.Equal(group, "max", snapshot.Read(cgroup, "memory.high"), $"Guaranteed {cgroup} memory.high not set (request = limit)");
            checks.Equal(group, Bytes(memory), snapshot.Read(cgroup, "memory.max"), $"Guaranteed {cgroup} memory.max = limit");
        }

        var sharedCgroup = GuestChecks.ContainerCgroup(shared, "main");
        var allocatable = facts.NodeMemoryBytes.Sum() - VmPluginConfig.EvictionHardBytes;
        checks.Equal(group, "0", snapshot.Read(sharedCgroup, "memory.min"), $"BestEffort {sharedCgroup}: memory.min not set");
        checks.Equal(group, "0", snapshot.Read(sharedCgroup, "memory.low"), $"BestEffort {sharedCgroup}: memory.low not set");
        checks.Equal(group, Bytes(VmPluginConfig.MemoryHigh(0, allocatable)), snapshot.Read(sharedCgroup, "memory.high"),
            $"BestEffort {sharedCgroup}: memory.high = factor × node allocatable ({allocatable} bytes), page-rounded");
        checks.Equal(group, "max", snapshot.Read(sharedCgroup, "memory.max"), $"BestEffort {sharedCgroup}: memory.max");
    }

    /// <summary>docs/kubelet-rules.md §6.4/§6.5: pod memory.min = R for Guaranteed pods; kubepods memory.min = G + B; kubepods/burstable memory.low = B.</summary>
    private static void CheckParentAggregation(ScenarioChecks checks, CgroupSnapshot snapshot, IReadOnlyList<RunningPod> guaranteed, long guaranteedTotal, long burstableTotal)
    {
        const VmAssertionGroup group = VmAssertionGroup.ParentAggregation;
        foreach (var pod in guaranteed)
        {
            checks.Equal(group, Bytes(pod.Spec.TotalRequests.MemoryBytes), snapshot.Read(pod.CgroupParent, "memory.min"), $"Guaranteed pod {pod.CgroupParent} memory.min = pod request");
        }

        checks.Equal(group, Bytes(guaranteedTotal + burstableTotal), snapshot.Read(KubepodsCgroup, "memory.min"), "/kubepods memory.min = G + B");
        checks.Equal(group, Bytes(burstableTotal), snapshot.Read(BurstableCgroup, "memory.low"), "/kubepods/burstable memory.low = B");
    }

    /// <summary>A Burstable container with 64Mi request and 128Mi limit: §6.2, §6.3, and its share of the parents (§6.4, §6.5).</summary>
    private static async Task CheckBurstableMemoryQosAsync(ScenarioChecks checks, TestVm vm, long guaranteedTotal, CancellationToken cancellationToken)
    {
        const VmAssertionGroup group = VmAssertionGroup.MemoryQosBurstable;
        var request = Mi(64);
        var limit = Mi(128);
        // CRI carries no memory request: the pod declares it (docs/inputs.md).
        var spec = new PodSpec("vm-burstable-memory", [new ContainerSpec("main", new(250, request), new(0, limit))],
            annotations: new Dictionary<string, string> { ["resmgrlite.io/memory-request"] = "main=64Mi" });
        var pod = await vm.Pods.RunAsync(spec, cancellationToken);
        var cgroup = GuestChecks.ContainerCgroup(pod, "main");
        var snapshot = await vm.ReadCgroupsAsync([cgroup, pod.CgroupParent, KubepodsCgroup, BurstableCgroup], cancellationToken);
        checks.Equal(group, Bytes(request), snapshot.Read(cgroup, "memory.low"), $"Burstable {cgroup} memory.low = request");
        checks.Equal(group, "0", snapshot.Read(cgroup, "memory.min"), $"Burstable {cgroup} memory.min not set");
        checks.Equal(group, Bytes(VmPluginConfig.MemoryHigh(request, limit)), snapshot.Read(cgroup, "memory.high"), $"Burstable {cgroup} memory.high formula");
        checks.Equal(group, Bytes(limit), snapshot.Read(cgroup, "memory.max"), $"Burstable {cgroup} memory.max = limit");
        checks.Equal(group, Bytes(request), snapshot.Read(pod.CgroupParent, "memory.low"), $"Burstable pod {pod.CgroupParent} memory.low = pod request");
        checks.Equal(group, Bytes(request), snapshot.Read(BurstableCgroup, "memory.low"), "/kubepods/burstable memory.low = B");
        checks.Equal(group, Bytes(guaranteedTotal + request), snapshot.Read(KubepodsCgroup, "memory.min"), "/kubepods memory.min = G + B");
        await vm.Pods.RemoveAsync(pod, cancellationToken);
    }

    /// <summary>The shared pool is every CPU not exclusively allocated (the reserved CPU included: no strict reservation).</summary>
    private static async Task CheckSharedPoolAsync(ScenarioChecks checks, TestVm vm, RunningPod shared, CpuSet exclusive, string when, CancellationToken cancellationToken)
    {
        if (!checks.IsEnabled(VmAssertionGroup.SharedPool))
        {
            return;
        }

        var expected = CpuSet.Parse(AllCpus).Except(exclusive).ToString();
        var cgroup = GuestChecks.ContainerCgroup(shared, "main");
        var actual = await WaitForAsync(vm, cgroup, "cpuset.cpus", expected, cancellationToken);
        checks.Equal(VmAssertionGroup.SharedPool, expected, actual, $"shared-pool container {cgroup} cpuset.cpus {when}");
    }

    /// <summary>Polls one cgroup file until it shows <paramref name="expected"/> or <see cref="UpdateTimeout"/> passes; returns the last value.</summary>
    private static async Task<string?> WaitForAsync(TestVm vm, string cgroup, string file, string expected, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + UpdateTimeout;
        while (true)
        {
            var value = (await vm.ReadCgroupsAsync([cgroup], cancellationToken)).Read(cgroup, file);
            if (value == expected || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    private static IEnumerable<string> Cgroups(params RunningPod[] pods) =>
        [KubepodsCgroup, BurstableCgroup, .. pods.Select(p => p.CgroupParent), .. pods.Select(p => GuestChecks.ContainerCgroup(p, "main"))];

    private static PodSpec Pod(string name, ResourceAmounts requests, ResourceAmounts limits) =>
        new(name, [new ContainerSpec("main", requests, limits)]);

    private static long Mi(long count) => ResourceAmounts.Mebibytes(count);

    private static string Bytes(long value) => value.ToString(CultureInfo.InvariantCulture);
}
