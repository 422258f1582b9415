using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.MemoryQos;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.Resize;
using ResMgrLite.Engine.TopologyManagement;
using ResMgrLite.TestSupport;

namespace ResMgrLite.Engine.Tests;

/// <summary>
/// In-place pod resize decisions (docs/kubelet-rules.md §7): grow and shrink × CPU and memory ×
/// applied, deferred and infeasible × pod and container scope. Machine: 2 NUMA nodes (even and odd
/// CPUs, 6 each), CPU 0 reserved, 16 GiB per node.
/// </summary>
public sealed class PodResizeTests
{
    private const long Gi = 1L << 30;

    private static ResourceEngine Engine(TopologyScope scope, TopologyPolicy policy = TopologyPolicy.SingleNumaNode, MemoryQosOptions? qos = null) =>
        TestEngine.Create(KubeletFixtures.DualSocketHT,
            new TopologyManagerOptions { Policy = policy, Scope = scope },
            new CpuManagerOptions { ReservedCpus = CpuSet.Of(0) },
            new MemoryManagerOptions
            {
                Nodes = [new NumaMemoryInfo(0, 16 * Gi, []), new NumaMemoryInfo(1, 16 * Gi, [])],
                ReservedMemory = [new ReservedMemoryNode(0, new MemoryAmounts(Gi))],
            },
            qos);

    private static ContainerResources Budget(int cpus, long memory) => new(cpus * 1000L, cpus * 1000L, memory, memory);

    /// <summary>A Guaranteed pod-level pod: one exclusive 1-CPU/1Gi slice and one shared container.</summary>
    private static PodSpec BudgetPod(ResourceEngine engine, string uid, int cpus, long memory)
    {
        var pod = new PodSpec(uid, uid, "ns", QosClass.Guaranteed, Budget(cpus, memory));
        Admit(engine, pod, new ContainerSpec("slice", ContainerRole.App, new ContainerResources(1000, 1000, Gi, Gi)));
        Admit(engine, pod, new ContainerSpec("shared", ContainerRole.App, default));
        return pod;
    }

    private static PodSpec Admit(ResourceEngine engine, PodSpec pod, ContainerSpec container)
    {
        pod.Containers.Add(container);
        Assert.True(engine.TryAdmitContainer(pod, container, $"{pod.Uid}-{container.Name}", out _, out string? error), error);
        return pod;
    }

    private static PodSpec BurstableOnNodePool(ResourceEngine engine) =>
        Admit(engine, new PodSpec("b1", "b1", "ns", QosClass.Burstable), new ContainerSpec("web", ContainerRole.App, new ContainerResources(250, 0, 0, 0)));

    private static CpuSet Cpus(ResourceEngine engine, string podUid, string name) => engine.EffectiveCpus(new ContainerKey(podUid, name));

    // ---- CPU, pod scope (the budget is a NUMA-aligned bubble) -------------------------------------

    [Fact]
    public void Cpu_grow_applied_widens_the_pod_shared_pool_on_its_numa_node_and_keeps_the_slice()
    {
        ResourceEngine engine = Engine(TopologyScope.Pod);
        BurstableOnNodePool(engine);
        PodSpec pod = BudgetPod(engine, "p1", 2, 4 * Gi);
        CpuSet slice = Cpus(engine, "p1", "slice");
        CpuSet sharedBefore = Cpus(engine, "p1", "shared");

        ResizeDecision d = engine.ResizePod(pod, Budget(2, 4 * Gi), Budget(4, 4 * Gi));

        Assert.Equal((ResizeOutcome.Applied, ""), (d.Outcome, d.Reason));
        Assert.True(d.StateChanged && d.OutcomeChanged && d.PodPoolGrows);
        Assert.Equal(slice, Cpus(engine, "p1", "slice"));
        CpuSet shared = Cpus(engine, "p1", "shared");
        Assert.Equal(3, shared.Count);
        Assert.True(sharedBefore.IsSubsetOf(shared));
        Assert.Equal(0b01UL, engine.Topology.NumaMaskOf(engine.Cpu!.Pods["p1"].Bubble));
        Assert.False(engine.Cpu.DefaultSet.Overlaps(engine.Cpu.Pods["p1"].Bubble));
        // Both pools moved: the shared member of the pod and the Burstable container of the node pool.
        Assert.Equal(["b1-web", "p1-shared"], d.Effects.OtherContainers.Select(c => c.ContainerId).Order(StringComparer.Ordinal));
        Assert.Equal(4000, pod.PodLevel!.Value.CpuRequestMilli);
        Assert.Equal(ResizeOutcome.Applied, engine.Resizes["p1"].Outcome);
    }

    [Fact]
    public void Cpu_grow_is_deferred_while_the_numa_node_is_full_and_applied_after_a_release()
    {
        ResourceEngine engine = Engine(TopologyScope.Pod);
        PodSpec pod = BudgetPod(engine, "p1", 2, 4 * Gi);
        // Another Guaranteed pod takes 3 of the 3 CPUs left on NUMA node 0.
        PodSpec blocker = Admit(engine, new PodSpec("g1", "g1", "ns", QosClass.Guaranteed), new ContainerSpec("app", ContainerRole.App, new ContainerResources(3000, 3000, Gi, Gi)));
        Assert.Equal(0b01UL, engine.Topology.NumaMaskOf(Cpus(engine, "g1", "app")));
        CpuSet bubble = engine.Cpu!.Pods["p1"].Bubble;

        ResizeDecision deferred = engine.ResizePod(pod, Budget(2, 4 * Gi), Budget(4, 4 * Gi));
        Assert.Equal(ResizeOutcome.Deferred, deferred.Outcome);
        Assert.StartsWith("CPU manager (static policy): 2 more CPU(s) are needed on NUMA node(s) 0", deferred.Reason, StringComparison.Ordinal);
        Assert.Equal(bubble, engine.Cpu.Pods["p1"].Bubble);
        Assert.Equal(2000, pod.PodLevel!.Value.CpuRequestMilli);
        Assert.Empty(deferred.Effects.OtherContainers);

        var pending = new List<string>();
        engine.CollectDeferredResizes(pending);
        Assert.Equal(["p1"], pending);
        // Retried without room: same outcome, not logged or counted again.
        ResizeDecision again = engine.ResizePod(pod, default, engine.Resizes["p1"].Desired);
        Assert.Equal((ResizeOutcome.Deferred, false), (again.Outcome, again.OutcomeChanged));

        Assert.True(engine.ReleasePod(blocker.Uid).Released);
        ResizeDecision applied = engine.ResizePod(pod, default, engine.Resizes["p1"].Desired);
        Assert.Equal((ResizeOutcome.Applied, true), (applied.Outcome, applied.OutcomeChanged));
        Assert.Equal(4, engine.Cpu.Pods["p1"].Bubble.Count);
        pending.Clear();
        engine.CollectDeferredResizes(pending);
        Assert.Empty(pending);
    }

    [Fact]
    public void Cpu_grow_beyond_the_numa_node_is_infeasible_under_single_numa_node()
    {
        ResourceEngine engine = Engine(TopologyScope.Pod);
        PodSpec pod = BudgetPod(engine, "p1", 2, 4 * Gi);
        long version = engine.ExclusiveVersion;

        ResizeDecision d = engine.ResizePod(pod, Budget(2, 4 * Gi), Budget(6, 4 * Gi));

        Assert.Equal(ResizeOutcome.Infeasible, d.Outcome);
        Assert.Equal("CPU manager (static policy): under the single-numa-node policy the budget stays on NUMA node(s) 0, which hold 5 allocatable CPUs: 6 can never fit", d.Reason);
        Assert.Equal(version, engine.ExclusiveVersion);
        Assert.Equal(2, engine.Cpu!.Pods["p1"].Bubble.Count);
    }

    [Fact]
    public void Cpu_grow_beyond_the_numa_node_spills_over_without_single_numa_node()
    {
        ResourceEngine engine = Engine(TopologyScope.Pod, TopologyPolicy.BestEffort);
        PodSpec pod = BudgetPod(engine, "p1", 2, 4 * Gi);

        ResizeDecision d = engine.ResizePod(pod, Budget(2, 4 * Gi), Budget(6, 4 * Gi));

        Assert.Equal(ResizeOutcome.Applied, d.Outcome);
        Assert.Equal(6, engine.Cpu!.Pods["p1"].Bubble.Count);
    }

    [Fact]
    public void Cpu_more_than_allocatable_is_infeasible_naming_the_capacity()
    {
        ResourceEngine engine = Engine(TopologyScope.Pod);
        PodSpec pod = BudgetPod(engine, "p1", 2, 4 * Gi);

        ResizeDecision d = engine.ResizePod(pod, Budget(2, 4 * Gi), Budget(12, 4 * Gi));

        Assert.Equal(ResizeOutcome.Infeasible, d.Outcome);
        Assert.Equal("node allocatable: Node didn't have enough capacity: cpu, requested: 12000, capacity: 11000", d.Reason);
    }

    [Fact]
    public void Cpu_shrink_applied_narrows_the_pod_shared_pool_and_keeps_the_slice()
    {
        ResourceEngine engine = Engine(TopologyScope.Pod);
        BurstableOnNodePool(engine);
        PodSpec pod = BudgetPod(engine, "p1", 3, 4 * Gi);
        CpuSet slice = Cpus(engine, "p1", "slice");
        CpuSet nodeBefore = engine.Cpu!.DefaultSet;

        ResizeDecision d = engine.ResizePod(pod, Budget(3, 4 * Gi), Budget(2, 4 * Gi));

        Assert.Equal(ResizeOutcome.Applied, d.Outcome);
        Assert.False(d.PodPoolGrows);
        Assert.Equal(slice, Cpus(engine, "p1", "slice"));
        Assert.Equal(1, Cpus(engine, "p1", "shared").Count);
        Assert.Equal(nodeBefore.Count + 1, engine.Cpu.DefaultSet.Count);
        Assert.Equal(engine.Cpu.DefaultSet, Cpus(engine, "b1", "web"));
    }

    [Fact]
    public void Cpu_shrink_below_the_slices_and_one_shared_cpu_is_infeasible()
    {
        ResourceEngine engine = Engine(TopologyScope.Pod);
        PodSpec pod = BudgetPod(engine, "p1", 2, 4 * Gi);

        ResizeDecision d = engine.ResizePod(pod, Budget(2, 4 * Gi), Budget(1, 4 * Gi));

        Assert.Equal(ResizeOutcome.Infeasible, d.Outcome);
        Assert.Equal("CPU manager (static policy): the exclusive slices of the pod's Guaranteed containers hold 1 CPU(s) and its shared containers need at least one: the budget cannot shrink from 2 to 1 CPUs (slices stay as they are)", d.Reason);
        Assert.Equal(2, engine.Cpu!.Pods["p1"].Bubble.Count);
    }

    [Fact]
    public void Cpu_of_a_budget_with_exclusive_cpus_resizes_only_to_whole_cpus()
    {
        ResourceEngine engine = Engine(TopologyScope.Pod);
        PodSpec pod = BudgetPod(engine, "p1", 2, 4 * Gi);

        ResizeDecision d = engine.ResizePod(pod, Budget(2, 4 * Gi), new ContainerResources(2500, 2500, 4 * Gi, 4 * Gi));

        Assert.Equal(ResizeOutcome.Infeasible, d.Outcome);
        Assert.Contains("whole CPUs, not 2500m", d.Reason, StringComparison.Ordinal);
    }

    // ---- memory, pod scope (the Memory Manager's budget on the pod's NUMA node) --------------------

    [Fact]
    public void Memory_grow_applied_charges_the_budget_on_its_numa_node_and_raises_the_pod_limit_first()
    {
        ResourceEngine engine = Engine(TopologyScope.Pod);
        PodSpec pod = BudgetPod(engine, "p1", 2, 4 * Gi);
        engine.Memory!.State.Sum(0b01, MemoryResource.Memory, out long freeBefore, out _);

        ResizeDecision d = engine.ResizePod(pod, Budget(2, 4 * Gi), Budget(2, 8 * Gi));

        Assert.Equal(ResizeOutcome.Applied, d.Outcome);
        Assert.Equal(8 * Gi, engine.Memory.Pods["p1"].Totals.Memory);
        engine.Memory.State.Sum(0b01, MemoryResource.Memory, out long freeAfter, out _);
        Assert.Equal(freeBefore - 4 * Gi, freeAfter);
        Assert.Equal([new PodCgroupWrite(PodCgroupTarget.Pod, PodCgroupKnob.MemoryMax, 8 * Gi, "p1", QosClass.Guaranteed)], d.WidenLimits);
        Assert.Empty(d.NarrowLimits);
    }

    [Fact]
    public void Memory_grow_is_deferred_while_the_numa_node_has_no_room()
    {
        ResourceEngine engine = Engine(TopologyScope.Pod);
        PodSpec pod = BudgetPod(engine, "p1", 2, 4 * Gi);
        // 15 GiB allocatable on node 0: 4 for p1, 10 for another pod leaves 1.
        PodSpec blocker = Admit(engine, new PodSpec("g1", "g1", "ns", QosClass.Guaranteed), new ContainerSpec("app", ContainerRole.App, new ContainerResources(1000, 1000, 10 * Gi, 10 * Gi)));
        Assert.Equal(0b01UL, engine.EffectiveMems(new ContainerKey("g1", "app")));

        ResizeDecision d = engine.ResizePod(pod, Budget(2, 4 * Gi), Budget(2, 8 * Gi));

        Assert.Equal(ResizeOutcome.Deferred, d.Outcome);
        Assert.StartsWith("Memory manager (Static policy): 4294967296 more bytes are needed on NUMA node(s) 0", d.Reason, StringComparison.Ordinal);
        Assert.Equal(4 * Gi, engine.Memory!.Pods["p1"].Totals.Memory);
        Assert.Empty(d.WidenLimits);

        engine.ReleasePod(blocker.Uid);
        Assert.Equal(ResizeOutcome.Applied, engine.ResizePod(pod, default, engine.Resizes["p1"].Desired).Outcome);
    }

    [Fact]
    public void Memory_grow_beyond_the_numa_node_is_infeasible()
    {
        ResourceEngine engine = Engine(TopologyScope.Pod);
        PodSpec pod = BudgetPod(engine, "p1", 2, 4 * Gi);

        ResizeDecision d = engine.ResizePod(pod, Budget(2, 4 * Gi), Budget(2, 20 * Gi));

        Assert.Equal(ResizeOutcome.Infeasible, d.Outcome);
        Assert.StartsWith("Memory manager (Static policy): the budget's memory stays on NUMA node(s) 0, which hold 16106127360 allocatable bytes", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Memory_more_than_allocatable_is_infeasible_and_reported_before_cpu()
    {
        ResourceEngine engine = Engine(TopologyScope.Pod);
        PodSpec pod = BudgetPod(engine, "p1", 2, 4 * Gi);

        ResizeDecision d = engine.ResizePod(pod, Budget(2, 4 * Gi), Budget(40, 40 * Gi));

        Assert.Equal(ResizeOutcome.Infeasible, d.Outcome);
        Assert.StartsWith("node allocatable: Node didn't have enough capacity: memory", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Memory_shrink_applied_returns_memory_and_lowers_the_pod_limit_last()
    {
        ResourceEngine engine = Engine(TopologyScope.Pod);
        PodSpec pod = BudgetPod(engine, "p1", 2, 4 * Gi);

        ResizeDecision d = engine.ResizePod(pod, Budget(2, 4 * Gi), Budget(2, 2 * Gi));

        Assert.Equal(ResizeOutcome.Applied, d.Outcome);
        Assert.Equal(2 * Gi, engine.Memory!.Pods["p1"].Totals.Memory);
        Assert.Empty(d.WidenLimits);
        Assert.Equal([new PodCgroupWrite(PodCgroupTarget.Pod, PodCgroupKnob.MemoryMax, 2 * Gi, "p1", QosClass.Guaranteed)], d.NarrowLimits);
    }

    [Fact]
    public void Memory_shrink_below_the_slices_is_infeasible()
    {
        ResourceEngine engine = Engine(TopologyScope.Pod);
        PodSpec pod = BudgetPod(engine, "p1", 2, 4 * Gi);

        ResizeDecision d = engine.ResizePod(pod, Budget(2, 4 * Gi), Budget(2, Gi / 2));

        Assert.Equal(ResizeOutcome.Infeasible, d.Outcome);
        Assert.StartsWith("Memory manager (Static policy): the exclusive slices of the pod's Guaranteed containers hold 1073741824 bytes", d.Reason, StringComparison.Ordinal);
    }

    // ---- container scope: no bubble; the pod cgroup enforces the budget -------------------------------

    [Fact]
    public void Container_scope_grow_applied_only_moves_the_pod_cgroup_limits()
    {
        ResourceEngine engine = Engine(TopologyScope.Container);
        var pod = new PodSpec("p1", "p1", "ns", QosClass.Burstable, new ContainerResources(1000, 2000, Gi, 2 * Gi));
        Admit(engine, pod, new ContainerSpec("app", ContainerRole.App, default));
        CpuSet before = Cpus(engine, "p1", "app");

        ResizeDecision d = engine.ResizePod(pod, pod.PodLevel!.Value, new ContainerResources(2000, 4000, Gi, 4 * Gi));

        Assert.Equal(ResizeOutcome.Applied, d.Outcome);
        Assert.Empty(d.Effects.OtherContainers);
        Assert.Equal(before, Cpus(engine, "p1", "app"));
        Assert.Equal(
        [
            new PodCgroupWrite(PodCgroupTarget.Pod, PodCgroupKnob.CpuLimit, 4000, "p1", QosClass.Burstable),
            new PodCgroupWrite(PodCgroupTarget.Pod, PodCgroupKnob.MemoryMax, 4 * Gi, "p1", QosClass.Burstable),
        ], d.WidenLimits);
    }

    [Fact]
    public void Container_scope_shrink_applied_lowers_the_pod_cgroup_limits_after_the_containers()
    {
        ResourceEngine engine = Engine(TopologyScope.Container);
        var pod = new PodSpec("p1", "p1", "ns", QosClass.Burstable, new ContainerResources(1000, 2000, Gi, 2 * Gi));
        Admit(engine, pod, new ContainerSpec("app", ContainerRole.App, default));

        ResizeDecision d = engine.ResizePod(pod, pod.PodLevel!.Value, new ContainerResources(500, 1000, Gi, 1536L << 20));

        Assert.Equal(ResizeOutcome.Applied, d.Outcome);
        Assert.Empty(d.WidenLimits);
        Assert.Equal([PodCgroupKnob.CpuLimit, PodCgroupKnob.MemoryMax], d.NarrowLimits.Select(w => w.Knob));
    }

    [Fact]
    public void Container_scope_has_no_deferral_and_refuses_only_what_the_node_cannot_hold()
    {
        ResourceEngine engine = Engine(TopologyScope.Container);
        var pod = new PodSpec("p1", "p1", "ns", QosClass.Guaranteed, Budget(2, 4 * Gi));
        Admit(engine, pod, new ContainerSpec("app", ContainerRole.App, new ContainerResources(2000, 2000, 4 * Gi, 4 * Gi)));
        Admit(engine, new PodSpec("g1", "g1", "ns", QosClass.Guaranteed), new ContainerSpec("app", ContainerRole.App, new ContainerResources(4000, 4000, Gi, Gi)));

        // The kubelet checked the fit against the other pods before it sent the resize (§7.2 step 7).
        Assert.Equal(ResizeOutcome.Applied, engine.ResizePod(pod, Budget(2, 4 * Gi), Budget(6, 4 * Gi)).Outcome);
        Assert.Equal(ResizeOutcome.Infeasible, engine.ResizePod(pod, default, Budget(12, 4 * Gi)).Outcome);
        // A Guaranteed pod's class cannot change in place.
        ResizeDecision burstable = engine.ResizePod(pod, default, new ContainerResources(1000, 2000, 4 * Gi, 4 * Gi));
        Assert.Equal(ResizeOutcome.Infeasible, burstable.Outcome);
        Assert.StartsWith("QoS class:", burstable.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pod_with_exclusive_cpus_keeps_its_lifted_quota_through_a_resize()
    {
        ResourceEngine engine = Engine(TopologyScope.Container);
        var pod = new PodSpec("g1", "g1", "ns", QosClass.Guaranteed);
        Admit(engine, pod, new ContainerSpec("app", ContainerRole.App, new ContainerResources(2000, 2000, Gi, Gi)));

        ResizeDecision d = engine.ResizePod(pod, Budget(2, Gi), Budget(3, 2 * Gi));

        Assert.Equal(ResizeOutcome.Applied, d.Outcome);
        Assert.DoesNotContain(d.WidenLimits, w => w.Knob == PodCgroupKnob.CpuLimit);
        Assert.Null(pod.PodLevel);
    }

    [Fact]
    public void Unchanged_budget_changes_nothing()
    {
        ResourceEngine engine = Engine(TopologyScope.Pod);
        PodSpec pod = BudgetPod(engine, "p1", 2, 4 * Gi);
        long exclusive = engine.ExclusiveVersion;

        ResizeDecision d = engine.ResizePod(pod, Budget(2, 4 * Gi), Budget(2, 4 * Gi));

        Assert.Equal(ResizeOutcome.Unchanged, d.Outcome);
        Assert.Equal(exclusive, engine.ExclusiveVersion);
        Assert.Empty(d.WidenLimits);
        Assert.Empty(d.NarrowLimits);
    }

    // ---- Memory QoS parent sums follow --------------------------------------------------------------

    [Fact]
    public void Memory_qos_parents_follow_a_memory_request_change()
    {
        var qos = new MemoryQosOptions { ReservationPolicy = MemoryReservationPolicy.TieredReservation, NodeAllocatableMemoryBytes = 30 * Gi };
        ResourceEngine engine = Engine(TopologyScope.Pod, qos: qos);
        PodSpec pod = BudgetPod(engine, "p1", 2, 4 * Gi);
        Assert.Equal(4 * Gi, engine.MemoryQosAccounting!.GuaranteedRequestBytes);

        ResizeDecision d = engine.ResizePod(pod, Budget(2, 4 * Gi), Budget(2, 6 * Gi));

        Assert.True(d.MemoryRequestGrows);
        Assert.Equal(6 * Gi, engine.MemoryQosAccounting.GuaranteedRequestBytes);
        Assert.Contains(new PodCgroupWrite(PodCgroupTarget.KubepodsRoot, PodCgroupKnob.MemoryMin, 6 * Gi), d.Effects.PodCgroupWrites);
        Assert.Contains(new PodCgroupWrite(PodCgroupTarget.Pod, PodCgroupKnob.MemoryMin, 6 * Gi, "p1", QosClass.Guaranteed), d.Effects.PodCgroupWrites);
    }

    // ---- the budget in force survives a restart ---------------------------------------------------------

    [Fact]
    public void The_budget_in_force_is_in_the_snapshot_and_wins_over_the_creation_time_one()
    {
        ResourceEngine engine = Engine(TopologyScope.Pod);
        PodSpec pod = BudgetPod(engine, "p1", 2, 4 * Gi);
        engine.ResizePod(pod, Budget(2, 4 * Gi), Budget(4, 6 * Gi));
        Engine.State.EngineSnapshot snapshot = engine.Snapshot();
        Assert.Equal(ResizeOutcome.Applied, Assert.Single(snapshot.Resizes).Outcome);

        ResourceEngine restarted = Engine(TopologyScope.Pod);
        Assert.Empty(restarted.Restore(snapshot));
        // The runtime still shows the creation-time budget.
        var seenAgain = new PodSpec("p1", "p1", "ns", QosClass.Guaranteed, Budget(2, 4 * Gi));
        restarted.ApplyBudgetInForce(seenAgain);
        Assert.Equal(Budget(4, 6 * Gi), seenAgain.PodLevel);
        Assert.Equal(4, restarted.Cpu!.Pods["p1"].Bubble.Count);
        Assert.Equal(6 * Gi, restarted.Memory!.Pods["p1"].Totals.Memory);

        restarted.ReleasePod("p1");
        Assert.Empty(restarted.Resizes);
    }
}
