using ResMgrLite.Engine;

namespace ResMgrLite.TestSupport.Sysfs;

/// <summary>Named machines that tests across the solution share.</summary>
internal static class SysfsFixtures
{
    /// <summary>1 socket × 4 cores × 2 threads, siblings (c, c+4): the kubelet's topoSingleSocketHT.</summary>
    public static SysfsMachine SingleSocketHt() => new SysfsMachineBuilder().Build();

    /// <summary>
    /// 2 sockets × 10 cores × 2 threads, Intel numbering (siblings i, i+20), one NUMA node per
    /// socket, one L3 per socket; 2 MiB and 1 GiB huge pages.
    /// </summary>
    public static SysfsMachine DualSocketIntelHt() => new SysfsMachineBuilder()
        .Sockets(2).CoresPerSocket(10).ThreadsPerCore(2)
        .Distances(10, 11, 21)
        .HugePages(2048, 512, 500).HugePages(1048576, 2, 1)
        .Build();

    /// <summary>AMD EPYC-like NPS4: 1 socket × 64 cores × 2 threads, siblings (i, i+64), 4 NUMA nodes of 16 cores, one L3 per 8 cores (2 per node), distances 10/12.</summary>
    public static SysfsMachine EpycNps4() => new SysfsMachineBuilder()
        .Sockets(1).CoresPerSocket(64).ThreadsPerCore(2)
        .NumaNodesPerSocket(4).CoresPerL3(8)
        .Distances(10, 12, 32)
        .Build();

    /// <summary>ARM server-like: 1 socket × 80 cores, no SMT, no L3, clusters of 2 cores.</summary>
    public static SysfsMachine Arm80() => new SysfsMachineBuilder()
        .Sockets(1).CoresPerSocket(80).ThreadsPerCore(1)
        .NoL3().CoresPerCluster(2)
        .Build();

    /// <summary>
    /// 2 sockets × 20 cores × 2 threads with sub-NUMA clustering (2 nodes per socket), distances
    /// 10/11/21, siblings (i, i+40): the kubelet's topoDualSocketMultiNumaPerSocketHT.
    /// </summary>
    public static SysfsMachine DualSocketSnc2() => new SysfsMachineBuilder()
        .Sockets(2).CoresPerSocket(20).ThreadsPerCore(2)
        .NumaNodesPerSocket(2)
        .Distances(10, 11, 21)
        .Build();

    /// <summary>8 sockets × 256 cores × 2 threads = 4096 CPUs, one node per socket, L3 per 16 cores (only L3 cache directories, to keep the tree small).</summary>
    public static SysfsMachine EightSocket4096() => new SysfsMachineBuilder()
        .Sockets(8).CoresPerSocket(256).ThreadsPerCore(2)
        .CoresPerL3(16).OnlyL3Caches()
        .Build();

    /// <summary>
    /// 2 sockets × 4 cores × 2 threads with CPU 3 and both threads of core 6 (6, 14) offline and
    /// 1, 9 (one core) isolated.
    /// </summary>
    public static SysfsMachine OfflineAndIsolated() => new SysfsMachineBuilder()
        .Sockets(2).CoresPerSocket(4).ThreadsPerCore(2)
        .Offline(CpuSet.Of(3, 6, 14))
        .Isolated(CpuSet.Of(1, 9))
        .Build();

    /// <summary>What this test host looks like: 1 socket × 2 cores, no SMT, cgroup v1 hybrid.</summary>
    public static SysfsMachine TwoCpuHybridHost() => new SysfsMachineBuilder()
        .Sockets(1).CoresPerSocket(2).ThreadsPerCore(1)
        .HugePages(2048, 0, 0).HugePages(1048576, 0, 0)
        .Cgroups(CgroupLayout.Hybrid)
        .Build();
}
