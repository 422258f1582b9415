namespace ResMgrLite.Engine.Topology;

/// <summary>
/// The machine as the kubelet's resource managers see it: online CPUs with kubelet core,
/// socket, NUMA and uncore ids; cores, sockets, NUMA nodes (memory, huge pages, distances),
/// uncore cache groups; offline and isolated CPUs.
/// </summary>
/// <remarks>
/// Built once by <see cref="MachineTopologyBuilder"/> and immutable afterwards. Every lookup is
/// an array index by CPU id or entity id (no dictionaries, no allocation), because the
/// admission path asks these questions for every container.
/// </remarks>
internal sealed class MachineTopology
{
    private const int Absent = -1;

    private readonly CpuInfo[] _cpus;
    private readonly CpuHardwareIds[] _hardware;
    private readonly CoreInfo[] _cores;
    private readonly SocketInfo[] _sockets;
    private readonly NumaNodeInfo[] _numaNodes;
    private readonly UncoreCacheInfo[] _uncoreCaches;
    private readonly SharedCacheInfo[] _sharedCaches;
    private readonly CpuSet _online;
    private readonly CpuSet _offline;
    private readonly CpuSet _isolated;

    // Position in _cpus / _cores by CPU id, and position in the entity arrays by entity id.
    private readonly int[] _cpuIndexByCpu;
    private readonly int[] _coreIndexByCpu;
    private readonly int[] _coreIndexByCoreId;
    private readonly int[] _socketIndexById;
    private readonly int[] _numaIndexById;
    private readonly int[] _uncoreIndexById;

    internal MachineTopology(
        CpuInfo[] cpus,
        CpuHardwareIds[] hardware,
        CoreInfo[] cores,
        SocketInfo[] sockets,
        NumaNodeInfo[] numaNodes,
        UncoreCacheInfo[] uncoreCaches,
        SharedCacheInfo[] sharedCaches,
        in CpuSet offline,
        in CpuSet isolated,
        bool hasNumaInformation)
    {
        _cpus = cpus;
        _hardware = hardware;
        _cores = cores;
        _sockets = sockets;
        _numaNodes = numaNodes;
        _uncoreCaches = uncoreCaches;
        _sharedCaches = sharedCaches;
        _offline = offline;
        _isolated = isolated;
        HasNumaInformation = hasNumaInformation;

        int cpuBound = cpus.Length == 0 ? 0 : cpus[^1].Cpu + 1;
        _cpuIndexByCpu = NewIndex(cpuBound);
        _coreIndexByCpu = NewIndex(cpuBound);
        _coreIndexByCoreId = NewIndex(cpuBound);
        CpuSet online = default;
        for (int i = 0; i < cpus.Length; i++)
        {
            _cpuIndexByCpu[cpus[i].Cpu] = i;
            online.Add(cpus[i].Cpu);
        }
        _online = online;
        for (int i = 0; i < cores.Length; i++)
        {
            _coreIndexByCoreId[cores[i].Id] = i;
            foreach (int cpu in cores[i].Threads)
            {
                _coreIndexByCpu[cpu] = i;
            }
        }
        _socketIndexById = IndexById(sockets, static s => s.Id);
        _numaIndexById = IndexById(numaNodes, static n => n.Id);
        _uncoreIndexById = IndexById(uncoreCaches, static u => u.Id);
    }

    /// <summary>Online CPUs in ascending id order; the CPU manager builds its topology from these.</summary>
    public ReadOnlySpan<CpuInfo> Cpus => _cpus;

    /// <summary>Raw sysfs ids of the online CPUs, parallel to <see cref="Cpus"/>.</summary>
    public ReadOnlySpan<CpuHardwareIds> CpuHardware => _hardware;

    /// <summary>Physical cores, ascending by kubelet core id.</summary>
    public ReadOnlySpan<CoreInfo> Cores => _cores;

    /// <summary>Sockets with at least one online CPU, ascending by id.</summary>
    public ReadOnlySpan<SocketInfo> Sockets => _sockets;

    /// <summary>NUMA nodes ascending by id, including nodes without CPUs (memory-only nodes).</summary>
    public ReadOnlySpan<NumaNodeInfo> NumaNodes => _numaNodes;

    /// <summary>Uncore cache groups ascending by id (§1.2: one per socket when there is no split L3).</summary>
    public ReadOnlySpan<UncoreCacheInfo> UncoreCaches => _uncoreCaches;

    /// <summary>Level 3+ caches as the kernel reports them, by level then first CPU.</summary>
    public ReadOnlySpan<SharedCacheInfo> SharedCaches => _sharedCaches;

    public ref readonly CpuSet OnlineCpus => ref _online;

    /// <summary>CPUs the kernel lists as offline (present or possible but not running).</summary>
    public ref readonly CpuSet OfflineCpus => ref _offline;

    /// <summary>CPUs removed from the scheduler with <c>isolcpus=</c>.</summary>
    public ref readonly CpuSet IsolatedCpus => ref _isolated;

    /// <summary>
    /// False when the kernel has no NUMA directories and each socket stands in for a node,
    /// without memory, huge page or distance data (docs/kubelet-rules.md §1.1 step 9).
    /// </summary>
    public bool HasNumaInformation { get; }

    public bool TryGetCpu(int cpu, out CpuInfo info)
    {
        int index = Lookup(_cpuIndexByCpu, cpu);
        if (index == Absent)
        {
            info = default;
            return false;
        }
        info = _cpus[index];
        return true;
    }

    /// <summary>The record of an online CPU; throws for an offline or unknown id.</summary>
    public ref readonly CpuInfo GetCpu(int cpu) => ref _cpus[Require(_cpuIndexByCpu, cpu, "cpu")];

    public ref readonly CpuHardwareIds GetHardwareIds(int cpu) => ref _hardware[Require(_cpuIndexByCpu, cpu, "cpu")];

    /// <summary>The core holding an online CPU.</summary>
    public CoreInfo GetCoreOf(int cpu) => _cores[Require(_coreIndexByCpu, cpu, "cpu")];

    /// <summary>The SMT siblings of an online CPU, itself included.</summary>
    public ref readonly CpuSet GetThreadSiblings(int cpu) => ref GetCoreOf(cpu).Threads;

    /// <summary>A core by kubelet core id (its smallest thread id).</summary>
    public CoreInfo GetCore(int coreId) => _cores[Require(_coreIndexByCoreId, coreId, "core")];

    public SocketInfo GetSocket(int socketId) => _sockets[Require(_socketIndexById, socketId, "socket")];

    public NumaNodeInfo GetNumaNode(int nodeId) => _numaNodes[Require(_numaIndexById, nodeId, "NUMA node")];

    public bool TryGetNumaNode(int nodeId, out NumaNodeInfo? node)
    {
        int index = Lookup(_numaIndexById, nodeId);
        node = index == Absent ? null : _numaNodes[index];
        return node is not null;
    }

    public UncoreCacheInfo GetUncoreCache(int uncoreCacheId) =>
        _uncoreCaches[Require(_uncoreIndexById, uncoreCacheId, "uncore cache")];

    /// <summary>The kernel's NUMA distance between two nodes, or -1 when the kernel gave none.</summary>
    public int GetDistance(int fromNodeId, int toNodeId)
    {
        ReadOnlySpan<int> row = GetNumaNode(fromNodeId).Distances;
        int column = Require(_numaIndexById, toNodeId, "NUMA node");
        return column < row.Length ? row[column] : Absent;
    }

    /// <summary>
    /// Distances among the NUMA nodes that have online CPUs, rows and columns in ascending node
    /// id order: the matrix <c>CpuTopology.Create</c> takes. Empty when the kernel gave no
    /// distances for one of those nodes (the kubelet treats distances as optional, §1.3).
    /// Allocates; call once at start.
    /// </summary>
    public int[][] GetCpuNodeDistanceMatrix()
    {
        var nodes = new List<int>();
        foreach (NumaNodeInfo node in _numaNodes)
        {
            if (!node.Cpus.IsEmpty)
            {
                nodes.Add(node.Id);
            }
        }
        var matrix = new int[nodes.Count][];
        for (int row = 0; row < nodes.Count; row++)
        {
            matrix[row] = new int[nodes.Count];
            for (int column = 0; column < nodes.Count; column++)
            {
                int distance = GetDistance(nodes[row], nodes[column]);
                if (distance < 0)
                {
                    return [];
                }
                matrix[row][column] = distance;
            }
        }
        return matrix;
    }

    private static int Lookup(int[] index, int id) =>
        (uint)id < (uint)index.Length ? index[id] : Absent;

    private static int Require(int[] index, int id, string what)
    {
        int position = Lookup(index, id);
        if (position == Absent)
        {
            TopologyThrowHelper.ThrowUnknown(what, id);
        }
        return position;
    }

    private static int[] NewIndex(int length)
    {
        int[] index = new int[length];
        index.AsSpan().Fill(Absent);
        return index;
    }

    private static int[] IndexById<T>(T[] items, Func<T, int> idOf)
    {
        int bound = 0;
        foreach (T item in items)
        {
            bound = Math.Max(bound, idOf(item) + 1);
        }
        int[] index = NewIndex(bound);
        for (int i = 0; i < items.Length; i++)
        {
            index[idOf(items[i])] = i;
        }
        return index;
    }
}
