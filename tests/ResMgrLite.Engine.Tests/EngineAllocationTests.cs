using ResMgrLite.Engine;
using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.MemoryQos;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.TopologyManagement;
using ResMgrLite.TestSupport;

namespace ResMgrLite.Engine.Tests;

/// <summary>Admission and release allocate nothing after warm-up (brief: engine purity).</summary>
public sealed class EngineAllocationTests
{
    private const long Gi = 1L << 30;

    // The enums travel as object: test methods are public, the engine's types internal.
    public static TheoryData<string, int, int, int, int, object, object> Machines => new()
    {
        { "8 CPUs", 1, 1, 4, 2, TopologyPolicy.SingleNumaNode, TopologyScope.Container },
        { "128 CPUs / 2 NUMA", 2, 1, 32, 2, TopologyPolicy.Restricted, TopologyScope.Container },
        { "512 CPUs / 8 NUMA", 2, 4, 32, 2, TopologyPolicy.BestEffort, TopologyScope.Pod },
        { "4096 CPUs / 8 NUMA", 8, 1, 256, 2, TopologyPolicy.SingleNumaNode, TopologyScope.Pod },
    };

    [Theory]
    [MemberData(nameof(Machines))]
    public void Admission_and_release_do_not_allocate(string name, int sockets, int numaPerSocket, int coresPerNuma, int threads, object policyValue, object scopeValue)
    {
        TopologyPolicy policy = (TopologyPolicy)policyValue;
        TopologyScope scope = (TopologyScope)scopeValue;
        AssertAllocationFree(name, sockets, numaPerSocket, coresPerNuma, threads, policy, scope, withMemory: false);
    }

    [Theory]
    [MemberData(nameof(Machines))]
    public void Admission_and_release_with_memory_manager_and_memory_qos_do_not_allocate(string name, int sockets, int numaPerSocket, int coresPerNuma, int threads, object policyValue, object scopeValue)
    {
        TopologyPolicy policy = (TopologyPolicy)policyValue;
        TopologyScope scope = (TopologyScope)scopeValue;
        AssertAllocationFree(name, sockets, numaPerSocket, coresPerNuma, threads, policy, scope, withMemory: true);
    }

    private static void AssertAllocationFree(string name, int sockets, int numaPerSocket, int coresPerNuma, int threads, TopologyPolicy policy, TopologyScope scope, bool withMemory)
    {
        Assert.NotEmpty(name);
        CpuTopology topology = KubeletFixtures.Synthetic(sockets, numaPerSocket, coresPerNuma, threads);
        MemoryManagerOptions? memory = withMemory
            ? new MemoryManagerOptions
            {
                Nodes = topology.NumaNodeIds.ToArray().Select(id => new NumaMemoryInfo(id, 64 * Gi, [new HugePageInfo(2048, 1024)])).ToArray(),
                ReservedMemory = topology.NumaNodeIds.ToArray().Select(id => new ReservedMemoryNode(id, new MemoryAmounts(Gi))).ToArray(),
            }
            : null;
        MemoryQosOptions? memoryQos = withMemory
            ? new MemoryQosOptions { ReservationPolicy = MemoryReservationPolicy.TieredReservation, NodeAllocatableMemoryBytes = 32 * Gi }
            : null;
        var engine = TestEngine.Create(topology,
            new TopologyManagerOptions { Policy = policy, Scope = scope },
            new CpuManagerOptions { ReservedCpuCount = 2, DistributeCpusAcrossNuma = policy == TopologyPolicy.BestEffort },
            memory, memoryQos);

        // A working set of pods made up front: allocation of the inputs is the plugin's business.
        // Hugepages only on small machines: every requested memory resource adds a hint list, and
        // the kubelet's merge walks the cross product (255^3 per admission on 8 NUMA nodes).
        var pods = new List<(PodSpec Pod, string[] Ids)>();
        int podCount = Math.Clamp((topology.NumCpus - 2) / 6, 2, 12);
        for (int i = 0; i < podCount; i++)
        {
            PodSpec pod = (i % 3) switch
            {
                0 => new PodSpec($"g{i}", $"g{i}", "ns", QosClass.Guaranteed),
                1 => new PodSpec($"b{i}", $"b{i}", "ns", QosClass.Burstable),
                _ => new PodSpec($"p{i}", $"p{i}", "ns", QosClass.Guaranteed, new ContainerResources(4000, 4000, 8 * Gi, 8 * Gi)),
            };
            pod.Containers.Add(new ContainerSpec("init", ContainerRole.Init, new ContainerResources(1000, 1000, Gi, Gi)));
            pod.Containers.Add(new ContainerSpec("app", ContainerRole.App, new ContainerResources(2000, 2000, Gi, Gi, withMemory && i % 2 == 0 && topology.NumNumaNodes <= 2 ? 64L << 20 : 0)));
            pod.Containers.Add(new ContainerSpec("side", ContainerRole.App, new ContainerResources(500, 500, Gi, Gi)));
            pods.Add((pod, pod.Containers.Select(c => pod.Uid + "/" + c.Name).ToArray()));
        }

        void Cycle()
        {
            foreach (var (pod, ids) in pods)
            {
                for (int c = 0; c < pod.Containers.Count; c++)
                {
                    Assert.True(engine.TryAdmitContainer(pod, pod.Containers[c], ids[c], out _, out string? error), error);
                }
            }
            foreach (var (pod, ids) in pods)
            {
                for (int c = 0; c < pod.Containers.Count; c++)
                {
                    engine.ReleaseContainer(new ContainerKey(pod.Uid, pod.Containers[c].Name), ids[c]);
                }
                engine.ReleasePod(pod.Uid);
            }
        }

        CpuSet initial = engine.Cpu!.DefaultSet;
        string? initialMemory = engine.Memory?.State.ToString();
        // Three warm-up cycles: every path (init reuse, pod budgets, tier-up of the JIT) has run before measuring.
        Cycle();
        Cycle();
        Cycle();
        Assert.Equal(initial, engine.Cpu.DefaultSet);
        Assert.Equal(initialMemory, engine.Memory?.State.ToString());
        // A cycle that allocates nothing proves the path allocation-free. On a loaded machine the
        // runtime can still be finishing tier-up work on this thread during one cycle (a few KB, once),
        // so up to three cycles are measured; an allocating path allocates in every one of them.
        var measured = new List<long>(3);
        for (int attempt = 0; attempt < 3 && (measured.Count == 0 || measured[^1] != 0); attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Cycle();
            measured.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.True(measured[^1] == 0, $"every measured cycle allocated: {string.Join(", ", measured)} bytes");
        Assert.Equal(initial, engine.Cpu.DefaultSet);
        Assert.Equal(initialMemory, engine.Memory?.State.ToString());
    }
}
