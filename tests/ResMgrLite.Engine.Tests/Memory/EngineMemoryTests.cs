using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.MemoryQos;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.TopologyManagement;
using ResMgrLite.TestSupport;
using static ResMgrLite.Engine.Tests.Memory.MemoryTestMachines;

namespace ResMgrLite.Engine.Tests.Memory;

/// <summary>The memory manager inside the admission pipeline: merged hints, consistent CPU and memory decisions.</summary>
public sealed class EngineMemoryTests
{
    /// <summary>topoDualSocketHT (2 NUMA nodes of 6 CPUs) with the two-node memory machine.</summary>
    private static ResourceEngine Engine(TopologyPolicy policy, TopologyScope scope = TopologyScope.Container, MemoryQosOptions? qos = null) =>
        TestEngine.Create(KubeletFixtures.DualSocketHT, new TopologyManagerOptions { Policy = policy, Scope = scope },
            new CpuManagerOptions { ReservedCpus = CpuSet.Of(0) }, TwoNodes(), qos);

    private static (PodSpec Pod, ContainerSpec Container) Guaranteed(string uid, int cpus, long memory)
    {
        var pod = new PodSpec(uid, uid, "ns", QosClass.Guaranteed);
        var c = new ContainerSpec("c", ContainerRole.App, new ContainerResources(cpus * 1000, cpus * 1000, memory, memory));
        pod.Containers.Add(c);
        return (pod, c);
    }

    [Fact]
    public void Cpu_and_memory_hints_merge_and_mems_follow_the_memory_blocks()
    {
        ResourceEngine engine = Engine(TopologyPolicy.Restricted);
        var (pod, c) = Guaranteed("p", 2, 4 * Gi);
        Assert.True(engine.TryAdmitContainer(pod, c, "id", out ContainerDecision d, out string? error), error);
        Assert.Equal(new TopologyHint(0b01, true), d.Hint);
        Assert.True(d.Settings.ManagesMemory);
        Assert.Equal("0", d.Memory.MemsList);
        Assert.Equal(0b01UL, engine.EffectiveMems(new ContainerKey("p", "c")));
        Assert.True(d.Cpu.Cpus.IsSubsetOf(KubeletFixtures.DualSocketHT.CpusOfNumaNode(0)));
        Assert.True(d.Settings.MemoryQos.IsEmpty);

        engine.ReleaseContainer(new ContainerKey("p", "c"), "id");
        Assert.Equal(0, engine.Memory!.State.Table(0, MemoryResource.Memory).Reserved);
        Assert.Equal(0UL, engine.EffectiveMems(new ContainerKey("p", "c")));
    }

    [Fact]
    public void Wide_memory_with_narrow_cpus_is_not_preferred_so_restricted_refuses_and_best_effort_spans()
    {
        // docs/kubelet-rules.md §2.3 second example shape: memory needs both nodes ({11} preferred), CPUs fit one node
        // ({01}, {10} preferred, {11} not): no identical preferred masks → {11, not preferred}.
        var (pod, c) = Guaranteed("p", 2, 20 * Gi);
        ResourceEngine restricted = Engine(TopologyPolicy.Restricted);
        Assert.False(restricted.TryAdmitContainer(pod, c, "id", out _, out string? error));
        Assert.StartsWith("TopologyAffinityError: topology manager policy restricted", error, StringComparison.Ordinal);
        Assert.Contains("memory: 11 (preferred)", error, StringComparison.Ordinal);
        Assert.Equal(0, restricted.Memory!.State.Table(0, MemoryResource.Memory).Reserved);

        ResourceEngine bestEffort = Engine(TopologyPolicy.BestEffort);
        Assert.True(bestEffort.TryAdmitContainer(pod, c, "id", out ContainerDecision d, out error), error);
        Assert.Equal(new TopologyHint(0b11, false), d.Hint);
        Assert.Equal("0-1", d.Memory.MemsList);
    }

    [Fact]
    public void A_memory_refusal_leaves_the_cpus_untouched()
    {
        ResourceEngine engine = Engine(TopologyPolicy.None);
        var (big, bc) = Guaranteed("big", 1, 14 * Gi);
        Assert.True(engine.TryAdmitContainer(big, bc, "a", out _, out string? error), error);
        CpuSet before = engine.Cpu!.DefaultSet;
        // 20Gi needs both nodes, but node 0 holds a single-node block: the group rule refuses it.
        var (pod, c) = Guaranteed("p", 2, 20 * Gi);
        Assert.False(engine.TryAdmitContainer(pod, c, "b", out _, out error));
        Assert.StartsWith("Memory manager (Static policy) refused container c of pod ns/p: ", error, StringComparison.Ordinal);
        Assert.Equal(before, engine.Cpu.DefaultSet);
        Assert.False(engine.Cpu.Containers.ContainsKey(new ContainerKey("p", "c")));
    }

    [Fact]
    public void Single_numa_node_policy_with_memory_narrows_to_one_node()
    {
        ResourceEngine engine = Engine(TopologyPolicy.SingleNumaNode);
        var (a, ac) = Guaranteed("a", 2, 10 * Gi);
        Assert.True(engine.TryAdmitContainer(a, ac, "a", out ContainerDecision da, out string? error), error);
        var (b, bc) = Guaranteed("b", 2, 10 * Gi);
        Assert.True(engine.TryAdmitContainer(b, bc, "b", out ContainerDecision db, out error), error);
        Assert.NotEqual(da.Memory.Mems, db.Memory.Mems);
        Assert.Equal(da.Memory.Mems, engine.Topology.NumaMaskOf(da.Cpu.Cpus));
        Assert.Equal(db.Memory.Mems, engine.Topology.NumaMaskOf(db.Cpu.Cpus));
        var (c, cc) = Guaranteed("c", 1, 10 * Gi);
        Assert.False(engine.TryAdmitContainer(c, cc, "c", out _, out error));
        Assert.Contains("memory: cannot be satisfied on any NUMA node", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Pod_scope_budgets_pin_every_container_to_the_budget_nodes_and_carry_memory_qos()
    {
        var qos = new MemoryQosOptions { ReservationPolicy = MemoryReservationPolicy.TieredReservation, NodeAllocatableMemoryBytes = 28 * Gi };
        ResourceEngine engine = Engine(TopologyPolicy.Restricted, TopologyScope.Pod, qos);
        var pod = new PodSpec("p", "p", "ns", QosClass.Guaranteed, new ContainerResources(3000, 3000, 6 * Gi, 6 * Gi));
        var gu = new ContainerSpec("gu", ContainerRole.App, new ContainerResources(1000, 1000, 2 * Gi, 2 * Gi));
        var shared = new ContainerSpec("shared", ContainerRole.App, default);
        pod.Containers.Add(gu);
        Assert.True(engine.TryAdmitContainer(pod, gu, "1", out ContainerDecision dg, out string? error), error);
        pod.Containers.Add(shared);
        Assert.True(engine.TryAdmitContainer(pod, shared, "2", out ContainerDecision ds, out error), error);
        Assert.Equal(dg.Memory.Mems, ds.Memory.Mems);
        Assert.Equal(1, System.Numerics.BitOperations.PopCount(dg.Memory.Mems));
        Assert.Equal(MemoryAssignmentKind.PodShared, ds.Memory.Kind);
        Assert.Equal(4 * Gi, ds.Memory.Blocks.Memory);
        Assert.Equal("memory.min=2147483648 memory.low=0 memory.max=2147483648", dg.Settings.MemoryQos.ToString());

        engine.ReleaseContainer(new ContainerKey("p", "gu"), "1");
        Assert.Equal(6 * Gi, TotalReserved(engine));
        engine.ReleaseContainer(new ContainerKey("p", "shared"), "2");
        Assert.Equal(0, TotalReserved(engine));
    }

    [Fact]
    public void Memory_nodes_must_belong_to_the_cpu_topology()
    {
        var options = TwoNodes() with { Nodes = [new NumaMemoryInfo(0, 16 * Gi), new NumaMemoryInfo(5, 16 * Gi)], ReservedMemory = [] };
        EngineStartResult started = ResourceEngine.Start(KubeletFixtures.DualSocketHT, new TopologyManagerOptions(), null, options);
        Assert.False(started.Started);
        Assert.Equal("the memory manager's NUMA node 5 is not a NUMA node of the CPU topology", Assert.Single(started.Problems));
    }

    private static long TotalReserved(ResourceEngine engine) =>
        engine.Memory!.State.Table(0, MemoryResource.Memory).Reserved + engine.Memory.State.Table(1, MemoryResource.Memory).Reserved;
}
