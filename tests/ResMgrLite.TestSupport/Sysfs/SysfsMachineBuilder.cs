using ResMgrLite.Engine;

namespace ResMgrLite.TestSupport.Sysfs;

/// <summary>
/// Describes a synthetic machine (sockets, cores, threads, NUMA layout, L3 grouping, memory,
/// huge pages, offline and isolated CPUs, cgroup mounts) for sysfs fixtures.
/// </summary>
/// <example>
/// <code>
/// using SysfsTree tree = new SysfsMachineBuilder().Sockets(2).CoresPerSocket(10).NumaNodesPerSocket(2)
///     .Build().WriteTree();
/// MachineTopology topology = SysfsTopologyDiscovery.Discover(tree.SysfsRoot);
/// </code>
/// </example>
internal sealed class SysfsMachineBuilder
{
    private readonly SysfsMachineSettings _settings = new();

    public SysfsMachineBuilder Sockets(int count) => Set(s => s.Sockets = Positive(count));

    public SysfsMachineBuilder CoresPerSocket(int count) => Set(s => s.CoresPerSocket = Positive(count));

    public SysfsMachineBuilder ThreadsPerCore(int count) => Set(s => s.ThreadsPerCore = Positive(count));

    public SysfsMachineBuilder Numbering(SiblingNumbering numbering) => Set(s => s.Numbering = numbering);

    /// <summary>Splits every socket into this many NUMA nodes of consecutive cores (SNC / NPS).</summary>
    public SysfsMachineBuilder NumaNodesPerSocket(int count) => Set(s => s.NumaNodesPerSocket = Positive(count));

    /// <summary>Puts this many consecutive sockets into one NUMA node.</summary>
    public SysfsMachineBuilder SocketsPerNumaNode(int count) => Set(s => s.SocketsPerNumaNode = Positive(count));

    /// <summary>Gives every group of this many consecutive cores of a socket its own L3 (AMD CCX style).</summary>
    public SysfsMachineBuilder CoresPerL3(int count) => Set(s => s.CoresPerL3 = Positive(count));

    /// <summary>No level 3 cache at all (many ARM servers expose only L1/L2).</summary>
    public SysfsMachineBuilder NoL3() => Set(s => s.HasL3 = false);

    /// <summary>
    /// Writes only the level 3 cache directory (index3), leaving out L1/L2; keeps very large trees
    /// small while still carrying everything the uncore rules read.
    /// </summary>
    public SysfsMachineBuilder OnlyL3Caches() => Set(s => s.OnlyL3Caches = true);

    /// <summary>No cpuN/cache directories at all.</summary>
    public SysfsMachineBuilder NoCaches() => Set(s => s.HasCaches = false);

    /// <summary>Dies per socket for <c>die_id</c>; consecutive cores share a die.</summary>
    public SysfsMachineBuilder DiesPerSocket(int count) => Set(s => s.DiesPerSocket = Positive(count));

    /// <summary>Writes <c>cluster_id</c>, grouping this many consecutive cores (ARM clusters).</summary>
    public SysfsMachineBuilder CoresPerCluster(int count) => Set(s => s.CoresPerCluster = Positive(count));

    public SysfsMachineBuilder MemoryPerNode(long totalKiB, long freeKiB) =>
        Set(s => (s.MemoryTotalKiB, s.MemoryFreeKiB) = (totalKiB, freeKiB));

    /// <summary>Adds a huge page pool of the given size to every node.</summary>
    public SysfsMachineBuilder HugePages(long pageSizeKiB, long totalPerNode, long freePerNode) =>
        Set(s => s.HugePages.Add((pageSizeKiB, totalPerNode, freePerNode)));

    /// <summary>NUMA distances: to itself, to another node of the same socket, to a node of another socket.</summary>
    public SysfsMachineBuilder Distances(int local, int sameSocket, int remote) =>
        Set(s => (s.LocalDistance, s.SameSocketDistance, s.RemoteDistance) = (local, sameSocket, remote));

    public SysfsMachineBuilder Offline(CpuSet cpus) => Set(s => s.Offline = cpus);

    public SysfsMachineBuilder Isolated(CpuSet cpus) => Set(s => s.Isolated = cpus);

    /// <summary>Omits devices/system/node entirely, as a kernel built without NUMA does.</summary>
    public SysfsMachineBuilder NoNumaDirectories() => Set(s => s.HasNumaDirectories = false);

    /// <summary>The cgroup mounts to describe, and the controllers of the v2 root.</summary>
    public SysfsMachineBuilder Cgroups(CgroupLayout layout, params string[] unifiedControllers) =>
        Set(s => (s.Cgroups, s.UnifiedControllers) = (layout, unifiedControllers));

    public SysfsMachine Build() => new(_settings.Clone());

    private SysfsMachineBuilder Set(Action<SysfsMachineSettings> change)
    {
        change(_settings);
        return this;
    }

    private static int Positive(int value) =>
        value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be positive");
}
