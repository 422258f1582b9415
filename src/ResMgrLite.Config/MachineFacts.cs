using ResMgrLite.Engine;
using ResMgrLite.Engine.Memory;

namespace ResMgrLite.Config;

/// <summary>
/// What validation needs to know about the machine, filled from sysfs discovery by the caller:
/// the online CPUs and, per NUMA node, MemTotal and the hugepage pools (the memory facts the
/// engine's memory manager takes, so one list serves both).
/// </summary>
internal sealed record MachineFacts(CpuSet OnlineCpus, IReadOnlyList<NumaMemoryInfo> NumaNodes)
{
    public long TotalMemoryBytes
    {
        get
        {
            long total = 0;
            foreach (NumaMemoryInfo node in NumaNodes)
            {
                total = checked(total + node.MemTotalBytes);
            }
            return total;
        }
    }
}
