using ResMgrLite.Engine;

namespace ResMgrLite.Config;

/// <summary>
/// What validation needs to know about the machine, filled from sysfs discovery by the caller:
/// the online CPUs and, per NUMA node, MemTotal and the hugepage pools.
/// </summary>
public sealed record MachineFacts(CpuSet OnlineCpus, IReadOnlyList<NumaNodeFacts> NumaNodes)
{
    public long TotalMemoryBytes => NumaNodes.Sum(node => node.MemTotalBytes);
}

/// <summary>One NUMA node: <c>MemTotal</c> from node/nodeN/meminfo and hugepages per page size in bytes → total pages.</summary>
public sealed record NumaNodeFacts(int Id, long MemTotalBytes, IReadOnlyDictionary<long, long> HugePagesBySize);
