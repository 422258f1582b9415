namespace ResMgrLite.Engine.Topology;

/// <summary>
/// A level 3+ cache exactly as the kernel reports it (node-wide or not), for display and for
/// policies that want the L3 layout even where the kubelet folds it into the node.
/// </summary>
internal sealed class SharedCacheInfo
{
    private readonly CpuSet _cpus;

    internal SharedCacheInfo(int level, string type, int id, long sizeBytes, in CpuSet cpus)
    {
        Level = level;
        Type = type;
        Id = id;
        SizeBytes = sizeBytes;
        _cpus = cpus;
    }

    public int Level { get; }

    /// <summary>The sysfs <c>type</c>: <c>Unified</c>, <c>Data</c> or <c>Instruction</c>.</summary>
    public string Type { get; }

    /// <summary>The sysfs cache <c>id</c>, or -1 when the kernel does not export it.</summary>
    public int Id { get; }

    public long SizeBytes { get; }

    /// <summary>The CPUs sharing the cache (<c>shared_cpu_map</c>).</summary>
    public ref readonly CpuSet Cpus => ref _cpus;
}
