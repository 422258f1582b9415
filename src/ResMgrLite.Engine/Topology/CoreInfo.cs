namespace ResMgrLite.Engine.Topology;

/// <summary>One physical core: the online threads that share a sysfs <c>(core_id, physical_package_id)</c> in a NUMA node.</summary>
internal sealed class CoreInfo
{
    private readonly CpuSet _threads;

    internal CoreInfo(int id, int physicalCoreId, int socketId, int numaNodeId, int uncoreCacheId, in CpuSet threads)
    {
        Id = id;
        PhysicalCoreId = physicalCoreId;
        SocketId = socketId;
        NumaNodeId = numaNodeId;
        UncoreCacheId = uncoreCacheId;
        _threads = threads;
    }

    /// <summary>Kubelet core id: the smallest thread id (docs/kubelet-rules.md §1.2).</summary>
    public int Id { get; }

    /// <summary>The sysfs <c>core_id</c> shared by the threads.</summary>
    public int PhysicalCoreId { get; }

    public int SocketId { get; }

    public int NumaNodeId { get; }

    public int UncoreCacheId { get; }

    /// <summary>The core's online threads (SMT siblings).</summary>
    public ref readonly CpuSet Threads => ref _threads;
}
