using ResMgrLite.Engine.MemoryQos;
using ResMgrLite.Engine.PodLevel;

namespace ResMgrLite.Engine;

/// <summary>
/// Everything the runtime must set on one container, as the engine decided it: enough to restate
/// the container completely (an update must never undo a decision by leaving a field out).
/// </summary>
internal struct ContainerSettings
{
    /// <summary>True when the CPU manager (static policy) decides the container's CPUs; false leaves cpus and quota to the runtime.</summary>
    public bool ManagesCpu;

    /// <summary><c>cpuset.cpus</c> (never empty when <see cref="ManagesCpu"/>).</summary>
    public CpuSet Cpus;

    /// <summary>The KEP-5526 isolation level; <see cref="CpuQuotaRule.LiftsContainerQuota"/> says whether the CFS quota goes.</summary>
    public ResourceIsolationLevel Level;

    /// <summary>True when the Memory Manager (Static policy) decides the container's memory nodes.</summary>
    public bool ManagesMemory;

    /// <summary><c>cpuset.mems</c> as a NUMA mask; 0 = leave as the runtime set it (all nodes).</summary>
    public ulong Mems;

    /// <summary>hugetlb limits; 0 = leave as set.</summary>
    public long Hugepages2MiLimitBytes;

    public long Hugepages1GiLimitBytes;

    /// <summary>The container's Memory QoS knobs (cgroup v2 <c>unified</c>); empty when Memory QoS is off.</summary>
    public MemoryQosValues MemoryQos;

    /// <summary>True when the CFS quota must be off (exclusive CPUs).</summary>
    public readonly bool LiftsQuota => ManagesCpu && CpuQuotaRule.LiftsContainerQuota(Level);

    /// <summary>True when there is nothing to tell the runtime.</summary>
    public readonly bool IsEmpty => !ManagesCpu && !ManagesMemory && MemoryQos.IsEmpty;
}
