using ResMgrLite.Engine.Model;

namespace ResMgrLite.Engine.Memory;

/// <summary>What a container's memory entry holds.</summary>
internal enum MemoryAssignmentKind : byte
{
    /// <summary>No entry: the container's memory is not pinned (cpuset.mems unrestricted).</summary>
    None,

    /// <summary>Blocks of its own requests (classic, or an eligible container's slice of a pod budget).</summary>
    Exclusive,

    /// <summary>A non-eligible regular init container of a pod budget: budget minus earlier sidecars (§5.5 step 4).</summary>
    PodInitPool,

    /// <summary>A non-eligible container of a pod budget: the pod's shared remainder (§5.5 step 4).</summary>
    PodShared,
}

/// <summary>
/// One container's memory blocks (docs/kubelet-rules.md §4.3). The kubelet keeps one block per
/// resource; they always share one NUMA mask, so a mask plus the sizes per resource says the same.
/// </summary>
internal struct ContainerMemoryEntry
{
    public MemoryAssignmentKind Kind;

    public ContainerRole Role;

    /// <summary>The runtime's container id that currently owns the entry (a restart replaces it).</summary>
    public string ContainerId;

    /// <summary>The NUMA nodes of the blocks.</summary>
    public ulong Mask;

    /// <summary>Block sizes; after init-container reuse (§4.5 step 9) a block may have shrunk, even to 0.</summary>
    public MemoryAmounts Blocks;

    /// <summary>Which resources have a block (bit per <see cref="MemoryResource"/>), size 0 included.</summary>
    public int Resources;
}

/// <summary>A pod-level memory budget (KEP-5526, §5.5): charged once, partitioned as bookkeeping.</summary>
internal struct PodMemoryEntry
{
    public ulong Mask;

    /// <summary>The pod totals charged to the machine state (one block per resource).</summary>
    public MemoryAmounts Totals;

    /// <summary>Requests of eligible sidecars so far.</summary>
    public MemoryAmounts SidecarMemory;

    /// <summary>Requests of eligible app containers so far.</summary>
    public MemoryAmounts AppExclusive;

    /// <summary>Containers holding an entry in this budget; the budget is released when it drops to 0 (§5.6).</summary>
    public int Containers;

    /// <summary>What the shared members get: budget minus sidecar and app slices, positive parts only.</summary>
    public readonly MemoryAmounts SharedPool => Totals.Minus(SidecarMemory).Minus(AppExclusive).PositivePart();
}

/// <summary>The result of a memory admission, for the adjustment builder.</summary>
internal struct MemoryDecision
{
    public MemoryAssignmentKind Kind;

    /// <summary>
    /// NUMA nodes for <c>cpuset.mems</c> (§4.5): the nodes of the container's blocks, or of its pod's
    /// budget; 0 = not restricted (leave mems as the runtime set them, i.e. all nodes).
    /// </summary>
    public ulong Mems;

    /// <summary>The container's blocks (bookkeeping sizes; see <see cref="ContainerMemoryEntry.Blocks"/>).</summary>
    public MemoryAmounts Blocks;

    /// <summary>hugetlb limits for the container: its own hugepage requests when it holds exclusive blocks, else 0 (leave as set).</summary>
    public long Hugepages2MiLimitBytes;

    public long Hugepages1GiLimitBytes;

    /// <summary>The memory manager widened the Topology Manager's hint to fit the requests (§4.5 step 5).</summary>
    public bool HintExtended;

    public readonly string MemsList => NumaNodeList.Format(Mems);
}
