using ResMgrLite.Engine;
using ResMgrLite.Engine.Topology;
using ResMgrLite.Host.Sysfs;
using ResMgrLite.TestSupport.Sysfs;

namespace ResMgrLite.Host.Tests.Sysfs;

public class SysfsTopologyDiscoveryTests
{
    public static TheoryData<string> FixtureNames =>
    [
        nameof(SysfsFixtures.SingleSocketHt),
        nameof(SysfsFixtures.DualSocketIntelHt),
        nameof(SysfsFixtures.EpycNps4),
        nameof(SysfsFixtures.Arm80),
        nameof(SysfsFixtures.DualSocketSnc2),
        nameof(SysfsFixtures.OfflineAndIsolated),
        nameof(SysfsFixtures.TwoCpuHybridHost),
    ];

    private static SysfsMachine Fixture(string name) => name switch
    {
        nameof(SysfsFixtures.SingleSocketHt) => SysfsFixtures.SingleSocketHt(),
        nameof(SysfsFixtures.DualSocketIntelHt) => SysfsFixtures.DualSocketIntelHt(),
        nameof(SysfsFixtures.EpycNps4) => SysfsFixtures.EpycNps4(),
        nameof(SysfsFixtures.Arm80) => SysfsFixtures.Arm80(),
        nameof(SysfsFixtures.DualSocketSnc2) => SysfsFixtures.DualSocketSnc2(),
        nameof(SysfsFixtures.OfflineAndIsolated) => SysfsFixtures.OfflineAndIsolated(),
        nameof(SysfsFixtures.TwoCpuHybridHost) => SysfsFixtures.TwoCpuHybridHost(),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void Discovered_cpus_match_the_kubelet_view_of_the_layout(string name)
    {
        SysfsMachine machine = Fixture(name);
        using SysfsTree tree = machine.WriteTree();

        MachineTopology topology = SysfsTopologyDiscovery.Discover(tree.SysfsRoot);

        Assert.Equal(machine.ExpectedCpuInfos().ToArray(), topology.Cpus.ToArray());
        Assert.Equal(machine.Online, topology.OnlineCpus);
        Assert.Equal(machine.Offline, topology.OfflineCpus);
        Assert.Equal(machine.Isolated, topology.IsolatedCpus);
    }

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void Discovered_nodes_carry_memory_huge_pages_and_distances(string name)
    {
        SysfsMachine machine = Fixture(name);
        using SysfsTree tree = machine.WriteTree();

        MachineTopology topology = SysfsTopologyDiscovery.Discover(tree.SysfsRoot);

        Assert.True(topology.HasNumaInformation);
        Assert.Equal(machine.NumaNodeCount, topology.NumaNodes.Length);
        foreach (NumaNodeInfo node in topology.NumaNodes)
        {
            Assert.Equal(machine.NodeCpus(node.Id).Intersect(machine.Online), node.Cpus);
            Assert.Equal(machine.Settings.MemoryTotalKiB * 1024, node.MemoryTotalBytes);
            Assert.Equal(machine.Settings.MemoryFreeKiB * 1024, node.MemoryFreeBytes);
            Assert.Equal(
                machine.Settings.HugePages.Select(h => new HugePagePool(h.PageSizeKiB, h.Total, h.Free)).OrderBy(h => h.PageSizeKiB),
                node.HugePages.ToArray());
            for (int to = 0; to < machine.NumaNodeCount; to++)
            {
                Assert.Equal(machine.Distance(node.Id, to), topology.GetDistance(node.Id, to));
            }
        }
    }

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void Discovery_and_the_direct_model_agree(string name)
    {
        SysfsMachine machine = Fixture(name);
        using SysfsTree tree = machine.WriteTree();

        MachineTopology fromDisk = SysfsTopologyDiscovery.Discover(tree.SysfsRoot);
        MachineTopology direct = machine.ToTopology();

        Assert.Equal(direct.Cpus.ToArray(), fromDisk.Cpus.ToArray());
        Assert.Equal(direct.CpuHardware.ToArray(), fromDisk.CpuHardware.ToArray());
        Assert.Equal(direct.Cores.Length, fromDisk.Cores.Length);
        Assert.Equal(direct.UncoreCaches.ToArray().Select(u => (u.Id, u.Cpus, u.Level, u.SizeBytes)),
            fromDisk.UncoreCaches.ToArray().Select(u => (u.Id, u.Cpus, u.Level, u.SizeBytes)));
        Assert.Equal(direct.SharedCaches.ToArray().Select(c => (c.Level, c.Id, c.Cpus)),
            fromDisk.SharedCaches.ToArray().Select(c => (c.Level, c.Id, c.Cpus)));
    }

    [Fact]
    public void Single_socket_ht_pairs_c_with_c_plus_4_and_folds_the_node_wide_l3_into_the_socket()
    {
        using SysfsTree tree = SysfsFixtures.SingleSocketHt().WriteTree();
        MachineTopology topology = SysfsTopologyDiscovery.Discover(tree.SysfsRoot);

        Assert.Equal(8, topology.Cpus.Length);
        Assert.Equal(4, topology.Cores.Length);
        Assert.Single(topology.Sockets.ToArray());
        Assert.Equal(new CpuInfo(5, 1, 0, 0, 0), topology.GetCpu(5));
        Assert.Equal(CpuSet.Of(3, 7), topology.GetThreadSiblings(7));
        UncoreCacheInfo uncore = Assert.Single(topology.UncoreCaches.ToArray());
        Assert.True(uncore.IsSocketFallback);
        Assert.Equal(CpuSet.Range(0, 7), uncore.Cpus);
        SharedCacheInfo l3 = Assert.Single(topology.SharedCaches.ToArray());
        Assert.Equal((3, 32L << 20), (l3.Level, l3.SizeBytes));
    }

    [Fact]
    public void Dual_socket_intel_keys_cores_by_lowest_thread_although_core_ids_repeat_per_socket()
    {
        using SysfsTree tree = SysfsFixtures.DualSocketIntelHt().WriteTree();
        MachineTopology topology = SysfsTopologyDiscovery.Discover(tree.SysfsRoot);

        Assert.Equal(new CpuInfo(20, 0, 0, 0, 0), topology.GetCpu(20));
        Assert.Equal(new CpuInfo(30, 10, 1, 1, 1), topology.GetCpu(30));
        // Both sockets have a sysfs core_id 0; the kubelet ids differ.
        Assert.Equal(0, topology.GetHardwareIds(10).PhysicalCoreId);
        Assert.Equal(10, topology.GetCpu(10).CoreId);
        Assert.Equal(CpuSet.Parse("10-19,30-39"), topology.GetNumaNode(1).Cpus);
        Assert.Equal(CpuSet.Parse("10-19,30-39"), topology.GetSocket(1).Cpus);
        Assert.Equal(21, topology.GetDistance(0, 1));
        Assert.Equal(10, topology.GetDistance(1, 1));
        HugePagePool[] pools = topology.GetNumaNode(0).HugePages.ToArray();
        Assert.Equal([new HugePagePool(2048, 512, 500), new HugePagePool(1048576, 2, 1)], pools);
        Assert.Equal(["hugepages-2Mi", "hugepages-1Gi"], pools.Select(p => p.ResourceName));
    }

    [Fact]
    public void Epyc_nps4_has_two_uncore_caches_per_node()
    {
        using SysfsTree tree = SysfsFixtures.EpycNps4().WriteTree();
        MachineTopology topology = SysfsTopologyDiscovery.Discover(tree.SysfsRoot);

        Assert.Equal(4, topology.NumaNodes.Length);
        Assert.Equal(8, topology.UncoreCaches.Length);
        Assert.Equal(CpuSet.Parse("0-15,64-79"), topology.GetNumaNode(0).Cpus);
        Assert.Equal(0, topology.GetCpu(7).UncoreCacheId);
        Assert.Equal(1, topology.GetCpu(8).UncoreCacheId);
        Assert.Equal(1, topology.GetCpu(72).UncoreCacheId);
        Assert.Equal(2, topology.GetCpu(16).UncoreCacheId);
        Assert.Equal(CpuSet.Parse("8-15,72-79"), topology.GetUncoreCache(1).Cpus);
        Assert.False(topology.GetUncoreCache(1).IsSocketFallback);
        Assert.Equal(3, topology.GetUncoreCache(1).Level);
        Assert.Equal(12, topology.GetDistance(0, 3));
        Assert.Equal([0, 1, 2, 3], topology.GetSocket(0).NumaNodeIds.ToArray());
    }

    [Fact]
    public void Arm_without_smt_or_l3_uses_the_socket_as_uncore_and_keeps_cluster_ids()
    {
        using SysfsTree tree = SysfsFixtures.Arm80().WriteTree();
        MachineTopology topology = SysfsTopologyDiscovery.Discover(tree.SysfsRoot);

        Assert.Equal(80, topology.Cores.Length);
        Assert.All(topology.Cpus.ToArray(), c => Assert.Equal(c.Cpu, c.CoreId));
        Assert.All(topology.Cpus.ToArray(), c => Assert.Equal(0, c.UncoreCacheId));
        Assert.True(Assert.Single(topology.UncoreCaches.ToArray()).IsSocketFallback);
        Assert.Empty(topology.SharedCaches.ToArray());
        Assert.Equal(new CpuHardwareIds(3, 3, 0, 1), topology.GetHardwareIds(3));
    }

    [Fact]
    public void Sub_numa_clustering_gives_two_nodes_per_socket_with_10_11_21_distances()
    {
        using SysfsTree tree = SysfsFixtures.DualSocketSnc2().WriteTree();
        MachineTopology topology = SysfsTopologyDiscovery.Discover(tree.SysfsRoot);

        Assert.Equal(CpuSet.Parse("0-9,40-49"), topology.GetNumaNode(0).Cpus);
        Assert.Equal(CpuSet.Parse("10-19,50-59"), topology.GetNumaNode(1).Cpus);
        Assert.Equal(CpuSet.Parse("30-39,70-79"), topology.GetNumaNode(3).Cpus);
        Assert.Equal([10, 11, 21, 21], topology.GetNumaNode(0).Distances.ToArray());
        Assert.Equal([21, 21, 11, 10], topology.GetNumaNode(3).Distances.ToArray());
        Assert.Equal([0, 1], topology.GetSocket(0).NumaNodeIds.ToArray());
        // The socket's L3 spans two nodes, so cAdvisor reports it as an uncore cache (docs/kubelet-rules.md §1.1 step 8).
        Assert.Equal(1, topology.GetCpu(79).UncoreCacheId);
        Assert.False(topology.GetUncoreCache(1).IsSocketFallback);
    }

    [Fact]
    public void Offline_cpus_are_left_out_and_isolated_cpus_reported()
    {
        using SysfsTree tree = SysfsFixtures.OfflineAndIsolated().WriteTree();
        MachineTopology topology = SysfsTopologyDiscovery.Discover(tree.SysfsRoot);

        Assert.Equal(13, topology.Cpus.Length);
        Assert.Equal(CpuSet.Of(3, 6, 14), topology.OfflineCpus);
        Assert.Equal(CpuSet.Of(1, 9), topology.IsolatedCpus);
        Assert.False(topology.TryGetCpu(3, out _));
        // Core {3, 11} lost thread 3: it is now named after 11. Core {6, 14} is gone.
        Assert.Equal(11, topology.GetCpu(11).CoreId);
        Assert.Equal(CpuSet.Of(11), topology.GetThreadSiblings(11));
        Assert.Equal(7, topology.Cores.Length);
        Assert.Equal(CpuSet.Parse("4-5,7,12-13,15"), topology.GetSocket(1).Cpus);
        Assert.Throws<ArgumentOutOfRangeException>(() => topology.GetCpu(6));
    }

    [Fact]
    public void Eight_socket_4096_cpu_machine_is_discovered()
    {
        SysfsMachine machine = SysfsFixtures.EightSocket4096();
        using SysfsTree tree = machine.WriteTree();

        MachineTopology topology = SysfsTopologyDiscovery.Discover(tree.SysfsRoot);

        Assert.Equal(4096, topology.Cpus.Length);
        Assert.Equal(2048, topology.Cores.Length);
        Assert.Equal(8, topology.Sockets.Length);
        Assert.Equal(8, topology.NumaNodes.Length);
        Assert.Equal(128, topology.UncoreCaches.Length);
        Assert.Equal(new CpuInfo(4095, 2047, 7, 7, 127), topology.GetCpu(4095));
        Assert.Equal(CpuSet.Of(2047, 4095), topology.GetThreadSiblings(2047));
        Assert.Equal(machine.ExpectedCpuInfos().ToArray(), topology.Cpus.ToArray());
    }

    [Fact]
    public void Without_node_directories_each_package_becomes_a_node_without_memory_facts()
    {
        SysfsMachine machine = new SysfsMachineBuilder().Sockets(2).CoresPerSocket(2).NoNumaDirectories().Build();
        using SysfsTree tree = machine.WriteTree();

        MachineTopology topology = SysfsTopologyDiscovery.Discover(tree.SysfsRoot);

        Assert.False(topology.HasNumaInformation);
        Assert.Equal([0, 1], topology.NumaNodes.ToArray().Select(n => n.Id));
        Assert.Equal(topology.GetSocket(1).Cpus, topology.GetNumaNode(1).Cpus);
        Assert.Equal(0, topology.GetNumaNode(1).MemoryTotalBytes);
        Assert.True(topology.GetNumaNode(0).Distances.IsEmpty);
        Assert.Equal(-1, topology.GetDistance(0, 1));
        Assert.Equal(machine.ExpectedCpuInfos().ToArray(), topology.Cpus.ToArray());
    }

    [Fact]
    public void Missing_online_file_means_every_cpu_directory_is_online()
    {
        using SysfsTree tree = SysfsFixtures.SingleSocketHt().WriteTree();
        tree.DeleteSys("devices/system/cpu/online");
        tree.DeleteSys("devices/system/cpu/offline");

        MachineTopology topology = SysfsTopologyDiscovery.Discover(tree.SysfsRoot);

        Assert.Equal(CpuSet.Range(0, 7), topology.OnlineCpus);
        Assert.True(topology.OfflineCpus.IsEmpty);
    }

    [Fact]
    public void Missing_cache_directories_leave_the_socket_as_uncore()
    {
        using SysfsTree tree = SysfsFixtures.EpycNps4().WriteTree();
        for (int cpu = 0; cpu < 128; cpu++)
        {
            tree.DeleteSys($"devices/system/cpu/cpu{cpu}/cache");
        }

        MachineTopology topology = SysfsTopologyDiscovery.Discover(tree.SysfsRoot);

        Assert.All(topology.Cpus.ToArray(), c => Assert.Equal(0, c.UncoreCacheId));
    }

    [Fact]
    public void Missing_meminfo_distance_and_hugepages_are_not_errors()
    {
        using SysfsTree tree = SysfsFixtures.DualSocketIntelHt().WriteTree();
        tree.DeleteSys("devices/system/node/node1/meminfo");
        tree.DeleteSys("devices/system/node/node1/distance");
        tree.DeleteSys("devices/system/node/node1/hugepages");

        MachineTopology topology = SysfsTopologyDiscovery.Discover(tree.SysfsRoot);

        NumaNodeInfo node = topology.GetNumaNode(1);
        Assert.Equal(0, node.MemoryTotalBytes);
        Assert.True(node.Distances.IsEmpty);
        Assert.True(node.HugePages.IsEmpty);
        Assert.Equal(21, topology.GetDistance(0, 1));
    }

    [Fact]
    public void Memory_only_node_is_kept_without_cpus()
    {
        using SysfsTree tree = SysfsFixtures.SingleSocketHt().WriteTree();
        tree.WriteSys("devices/system/node/node0/distance", "10 20");
        tree.WriteSys("devices/system/node/node1/meminfo", "Node 1 MemTotal: 1024 kB\nNode 1 MemFree: 512 kB\n");
        tree.WriteSys("devices/system/node/node1/distance", "20 10");

        MachineTopology topology = SysfsTopologyDiscovery.Discover(tree.SysfsRoot);

        NumaNodeInfo cxl = topology.GetNumaNode(1);
        Assert.True(cxl.Cpus.IsEmpty);
        Assert.Equal((1024L * 1024, 512L * 1024), (cxl.MemoryTotalBytes, cxl.MemoryFreeBytes));
        Assert.Equal(20, topology.GetDistance(0, 1));
    }

    [Fact]
    public void Real_host_sysfs_is_discovered_when_present()
    {
        if (!Directory.Exists("/sys/devices/system/cpu"))
        {
            return;
        }
        MachineTopology topology = SysfsTopologyDiscovery.Discover("/sys");

        Assert.NotEmpty(topology.Cpus.ToArray());
        Assert.NotEmpty(topology.NumaNodes.ToArray());
        Assert.All(topology.Cpus.ToArray(), c => Assert.True(topology.GetCore(c.CoreId).Threads.Contains(c.Cpu)));
    }
}
