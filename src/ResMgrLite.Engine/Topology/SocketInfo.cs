namespace ResMgrLite.Engine.Topology;

/// <summary>One CPU package (<c>physical_package_id</c>) and what it holds.</summary>
internal sealed class SocketInfo
{
    private readonly CpuSet _cpus;
    private readonly int[] _numaNodeIds;
    private readonly int[] _coreIds;

    internal SocketInfo(int id, in CpuSet cpus, int[] numaNodeIds, int[] coreIds)
    {
        Id = id;
        _cpus = cpus;
        _numaNodeIds = numaNodeIds;
        _coreIds = coreIds;
    }

    public int Id { get; }

    /// <summary>Online CPUs of the socket.</summary>
    public ref readonly CpuSet Cpus => ref _cpus;

    /// <summary>NUMA nodes with at least one CPU of this socket, ascending.</summary>
    public ReadOnlySpan<int> NumaNodeIds => _numaNodeIds;

    /// <summary>Kubelet core ids of the socket's cores, ascending.</summary>
    public ReadOnlySpan<int> CoreIds => _coreIds;
}
