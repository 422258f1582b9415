namespace ResMgrLite.Engine.Topology;

/// <summary>
/// A group of CPUs with the same kubelet uncore cache id (docs/kubelet-rules.md §1.2): CPUs
/// whose cores share a last-level cache that is not node-wide, or a whole socket when the
/// socket has no such cache.
/// </summary>
internal sealed class UncoreCacheInfo
{
    private readonly CpuSet _cpus;

    internal UncoreCacheInfo(int id, in CpuSet cpus, int level, long sizeBytes, bool isSocketFallback)
    {
        Id = id;
        _cpus = cpus;
        Level = level;
        SizeBytes = sizeBytes;
        IsSocketFallback = isSocketFallback;
    }

    public int Id { get; }

    /// <summary>Online CPUs of the group.</summary>
    public ref readonly CpuSet Cpus => ref _cpus;

    /// <summary>Cache level (3 for an L3); 0 when the group stands for a socket.</summary>
    public int Level { get; }

    /// <summary>Cache size in bytes; 0 when the group stands for a socket.</summary>
    public long SizeBytes { get; }

    /// <summary>True when no uncore cache was found and the id is the socket id (kubelet fallback).</summary>
    public bool IsSocketFallback { get; }
}
