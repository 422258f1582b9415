namespace ResMgrLite.Engine.Topology;

/// <summary>One NUMA node: its CPUs, memory, huge pages and distance row.</summary>
internal sealed class NumaNodeInfo
{
    private readonly CpuSet _cpus;
    private readonly int[] _socketIds;
    private readonly HugePagePool[] _hugePages;
    private readonly int[] _distances;

    internal NumaNodeInfo(
        int id,
        in CpuSet cpus,
        int[] socketIds,
        long memoryTotalBytes,
        long memoryFreeBytes,
        HugePagePool[] hugePages,
        int[] distances)
    {
        Id = id;
        _cpus = cpus;
        _socketIds = socketIds;
        MemoryTotalBytes = memoryTotalBytes;
        MemoryFreeBytes = memoryFreeBytes;
        _hugePages = hugePages;
        _distances = distances;
    }

    public int Id { get; }

    /// <summary>Online CPUs of the node (empty for memory-only nodes).</summary>
    public ref readonly CpuSet Cpus => ref _cpus;

    /// <summary>Sockets with at least one CPU in this node, ascending.</summary>
    public ReadOnlySpan<int> SocketIds => _socketIds;

    /// <summary><c>MemTotal</c> of the node in bytes; 0 when the kernel gives no per-node meminfo (docs/kubelet-rules.md §1.1 step 5).</summary>
    public long MemoryTotalBytes { get; }

    /// <summary><c>MemFree</c> of the node in bytes at discovery time; 0 when unknown.</summary>
    public long MemoryFreeBytes { get; }

    /// <summary>Huge page pools, ascending by page size.</summary>
    public ReadOnlySpan<HugePagePool> HugePages => _hugePages;

    /// <summary>
    /// The kernel's distance row: entry <c>i</c> is the distance to <c>MachineTopology.NumaNodes[i]</c>.
    /// Empty when the kernel gives none (non-NUMA fallback, or a missing <c>distance</c> file).
    /// </summary>
    public ReadOnlySpan<int> Distances => _distances;
}
