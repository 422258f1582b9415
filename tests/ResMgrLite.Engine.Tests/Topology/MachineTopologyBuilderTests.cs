using ResMgrLite.Engine;
using ResMgrLite.Engine.Topology;

namespace ResMgrLite.Engine.Tests.Topology;

public class MachineTopologyBuilderTests
{
    private static NumaNodeFacts Node(int id, CpuSet cpus, params int[] distances) =>
        new(id, cpus, 1L << 30, 1L << 29, [], distances);

    private static CacheFacts L3(int id, CpuSet shared) => new(3, "Unified", id, 32L << 20, shared);

    // The kubelet's topoDualSocketHT (docs/kubelet-rules.md §9.1): socket 0 = even CPUs,
    // socket 1 = odd CPUs, siblings (c, c+6), one NUMA node per socket.
    private static MachineTopology DualSocketHt()
    {
        var builder = new MachineTopologyBuilder();
        for (int cpu = 0; cpu < 12; cpu++)
        {
            builder.AddCpu(new CpuFacts(cpu, PhysicalCoreId: cpu % 6 / 2, PackageId: cpu % 2));
        }
        return builder
            .AddNumaNode(Node(0, CpuSet.Parse("0,2,4,6,8,10"), 10, 20))
            .AddNumaNode(Node(1, CpuSet.Parse("1,3,5,7,9,11"), 20, 10))
            .Build();
    }

    [Fact]
    public void Dual_socket_ht_names_cores_after_their_smallest_thread()
    {
        MachineTopology topology = DualSocketHt();

        Assert.Equal(new CpuInfo(6, 0, 0, 0, 0), topology.GetCpu(6));
        Assert.Equal(new CpuInfo(8, 2, 0, 0, 0), topology.GetCpu(8));
        Assert.Equal(new CpuInfo(7, 1, 1, 1, 1), topology.GetCpu(7));
        Assert.Equal(new CpuInfo(11, 5, 1, 1, 1), topology.GetCpu(11));
        Assert.Equal([0, 1, 2, 3, 4, 5], topology.Cores.ToArray().Select(c => c.Id));
        Assert.Equal(CpuSet.Of(3, 9), topology.GetCore(3).Threads);
        Assert.Equal([0, 2, 4], topology.GetSocket(0).CoreIds.ToArray());
        Assert.Equal(20, topology.GetDistance(1, 0));
    }

    [Fact]
    public void Cpus_are_ascending_whatever_order_they_were_added_in()
    {
        var builder = new MachineTopologyBuilder();
        foreach (int cpu in new[] { 3, 1, 2, 0 })
        {
            builder.AddCpu(new CpuFacts(cpu, cpu % 2, 0));
        }
        MachineTopology topology = builder.AddNumaNode(Node(0, CpuSet.Range(0, 3))).Build();

        Assert.Equal([0, 1, 2, 3], topology.Cpus.ToArray().Select(c => c.Cpu));
        Assert.Equal([0, 1, 0, 1], topology.Cpus.ToArray().Select(c => c.CoreId));
    }

    [Fact]
    public void Threads_with_the_same_core_id_in_different_nodes_are_different_cores()
    {
        // cAdvisor groups cores per node directory (§1.1 steps 2 and 4).
        MachineTopology topology = new MachineTopologyBuilder()
            .AddCpu(new CpuFacts(0, 0, 0)).AddCpu(new CpuFacts(1, 0, 0))
            .AddNumaNode(Node(0, CpuSet.Of(0))).AddNumaNode(Node(1, CpuSet.Of(1)))
            .Build();

        Assert.Equal(2, topology.Cores.Length);
        Assert.Equal(1, topology.GetCpu(1).CoreId);
    }

    [Fact]
    public void Node_wide_l3_is_not_an_uncore_cache()
    {
        MachineTopology topology = new MachineTopologyBuilder()
            .AddCpu(new CpuFacts(0, 0, 7)).AddCpu(new CpuFacts(1, 1, 7))
            .AddNumaNode(Node(0, CpuSet.Of(0, 1)))
            .WithCaches(_ => [new CacheFacts(2, "Unified", 0, 1 << 20, CpuSet.Of(0)), L3(5, CpuSet.Of(0, 1))])
            .Build();

        Assert.All(topology.Cpus.ToArray(), c => Assert.Equal(7, c.UncoreCacheId));
        Assert.True(topology.GetUncoreCache(7).IsSocketFallback);
        Assert.Equal(5, Assert.Single(topology.SharedCaches.ToArray()).Id);
    }

    [Fact]
    public void Split_l3_becomes_the_uncore_cache_and_only_the_first_counts()
    {
        // Cores 0-1 share L3 10, cores 2-3 share L3 11; an L4 spans everything but is listed after the L3.
        var builder = new MachineTopologyBuilder();
        for (int cpu = 0; cpu < 4; cpu++)
        {
            builder.AddCpu(new CpuFacts(cpu, cpu, 0));
        }
        var asked = new List<int>();
        MachineTopology topology = builder
            .AddNumaNode(Node(0, CpuSet.Range(0, 3)))
            .WithCaches(cpu =>
            {
                asked.Add(cpu);
                return [L3(10 + cpu / 2, cpu < 2 ? CpuSet.Of(0, 1) : CpuSet.Of(2, 3)), new CacheFacts(4, "Unified", 0, 1L << 30, CpuSet.Of(0, 1))];
            })
            .Build();

        Assert.Equal([10, 10, 11, 11], topology.Cpus.ToArray().Select(c => c.UncoreCacheId));
        Assert.Equal(CpuSet.Of(2, 3), topology.GetUncoreCache(11).Cpus);
        Assert.Equal((3, 32L << 20), (topology.GetUncoreCache(11).Level, topology.GetUncoreCache(11).SizeBytes));
        Assert.Equal([0, 1, 2, 3], asked);
    }

    [Fact]
    public void Caches_are_read_only_for_the_first_thread_of_each_core()
    {
        var asked = new List<int>();
        new MachineTopologyBuilder()
            .AddCpu(new CpuFacts(0, 0, 0)).AddCpu(new CpuFacts(1, 0, 0)).AddCpu(new CpuFacts(2, 1, 0)).AddCpu(new CpuFacts(3, 1, 0))
            .AddNumaNode(Node(0, CpuSet.Range(0, 3)))
            .WithCaches(cpu => { asked.Add(cpu); return []; })
            .Build();

        Assert.Equal([0, 2], asked);
    }

    [Fact]
    public void Cache_without_id_cannot_be_an_uncore_cache()
    {
        MachineTopology topology = new MachineTopologyBuilder()
            .AddCpu(new CpuFacts(0, 0, 3)).AddCpu(new CpuFacts(1, 1, 3))
            .AddNumaNode(Node(0, CpuSet.Of(0, 1)))
            .WithCaches(cpu => [L3(-1, CpuSet.Of(cpu))])
            .Build();

        Assert.All(topology.Cpus.ToArray(), c => Assert.Equal(3, c.UncoreCacheId));
    }

    [Fact]
    public void Without_nodes_each_package_is_a_node()
    {
        MachineTopology topology = new MachineTopologyBuilder()
            .AddCpu(new CpuFacts(0, 0, 4)).AddCpu(new CpuFacts(1, 0, 9))
            .Build();

        Assert.False(topology.HasNumaInformation);
        Assert.Equal([4, 9], topology.NumaNodes.ToArray().Select(n => n.Id));
        Assert.Equal(9, topology.GetCpu(1).NumaNodeId);
    }

    [Fact]
    public void Lookups_of_unknown_ids_throw_or_return_false()
    {
        MachineTopology topology = DualSocketHt();

        Assert.False(topology.TryGetCpu(12, out _));
        Assert.False(topology.TryGetCpu(-1, out _));
        Assert.False(topology.TryGetNumaNode(2, out _));
        Assert.True(topology.TryGetNumaNode(1, out NumaNodeInfo? node));
        Assert.Equal(1, node!.Id);
        Assert.Throws<ArgumentOutOfRangeException>(() => topology.GetCpu(4000));
        Assert.Throws<ArgumentOutOfRangeException>(() => topology.GetCore(6));
        Assert.Throws<ArgumentOutOfRangeException>(() => topology.GetSocket(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => topology.GetUncoreCache(-3));
    }

    // The builder travels as object: test methods are public, the engine's types internal.
    public static TheoryData<string, Func<object>> Contradictions => new()
    {
        { "no online CPU", () => new MachineTopologyBuilder() },
        { "cpu 1 was given twice", () => new MachineTopologyBuilder().AddCpu(new CpuFacts(1, 0, 0)).AddCpu(new CpuFacts(1, 0, 0)) },
        { "cpu 4096 is outside", () => new MachineTopologyBuilder().AddCpu(new CpuFacts(4096, 0, 0)) },
        { "physical_package_id -1 is outside", () => new MachineTopologyBuilder().AddCpu(new CpuFacts(0, 0, -1)) },
        { "core_id -2 is negative", () => new MachineTopologyBuilder().AddCpu(new CpuFacts(0, -2, 0)) },
        { "listed both online and offline", () => new MachineTopologyBuilder().AddCpu(new CpuFacts(0, 0, 0)).WithOfflineCpus(CpuSet.Of(0)) },
        {
            "cpu 0 is listed under NUMA nodes 0 and 1",
            () => new MachineTopologyBuilder().AddCpu(new CpuFacts(0, 0, 0)).AddNumaNode(Node(0, CpuSet.Of(0))).AddNumaNode(Node(1, CpuSet.Of(0)))
        },
        {
            "online cpu 1 is listed under no NUMA node",
            () => new MachineTopologyBuilder().AddCpu(new CpuFacts(0, 0, 0)).AddCpu(new CpuFacts(1, 1, 0)).AddNumaNode(Node(0, CpuSet.Of(0)))
        },
        {
            "NUMA node 0 was given twice",
            () => new MachineTopologyBuilder().AddCpu(new CpuFacts(0, 0, 0)).AddNumaNode(Node(0, CpuSet.Of(0))).AddNumaNode(Node(0, CpuSet.Empty))
        },
        {
            "NUMA node 0 has 3 distances but the machine has 1 nodes",
            () => new MachineTopologyBuilder().AddCpu(new CpuFacts(0, 0, 0)).AddNumaNode(Node(0, CpuSet.Of(0), 10, 20, 20))
        },
    };

    [Theory]
    [MemberData(nameof(Contradictions))]
    public void Contradicting_facts_are_refused_with_a_reason(string reason, Func<object> builder)
    {
        var error = Assert.Throws<InvalidTopologyException>(() => ((MachineTopologyBuilder)builder()).Build());
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }
}
