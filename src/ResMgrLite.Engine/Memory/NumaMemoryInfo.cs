namespace ResMgrLite.Engine.Memory;

/// <summary>One hugepage pool of a NUMA node: page size in KiB and the number of pages (§1.1 step 6).</summary>
internal readonly record struct HugePageInfo(long PageSizeKiB, long Pages)
{
    public long TotalBytes => checked(PageSizeKiB * 1024 * Pages);
}

/// <summary>
/// The memory facts of one NUMA node as cAdvisor reports them (docs/kubelet-rules.md §1.1
/// steps 5-6, §1.3): <c>MemTotal</c> in bytes and the hugepage pools. The host layer maps sysfs
/// discovery onto this; the engine never reads files.
/// </summary>
internal sealed record NumaMemoryInfo(int NodeId, long MemTotalBytes, IReadOnlyList<HugePageInfo> HugePages)
{
    public NumaMemoryInfo(int nodeId, long memTotalBytes)
        : this(nodeId, memTotalBytes, [])
    {
    }

    /// <summary>Total bytes of hugepages of one size on this node (0 when the node has none).</summary>
    public long HugePageBytes(long pageSizeKiB)
    {
        long total = 0;
        foreach (HugePageInfo pool in HugePages)
        {
            if (pool.PageSizeKiB == pageSizeKiB)
            {
                total += pool.TotalBytes;
            }
        }
        return total;
    }

    /// <summary>Bytes of all hugepage pools, of every size: they are carved out of MemTotal (§4.2).</summary>
    public long AllHugePageBytes()
    {
        long total = 0;
        foreach (HugePageInfo pool in HugePages)
        {
            total += pool.TotalBytes;
        }
        return total;
    }
}

/// <summary>One <c>reservedMemory</c> entry of the kubelet configuration (§4.1): a NUMA node and its limits.</summary>
internal sealed record ReservedMemoryNode(int NumaNode, MemoryAmounts Limits);
