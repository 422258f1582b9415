using ResMgrLite.Engine.Topology;
using ResMgrLite.Engine.TopologyManagement;

namespace ResMgrLite.Engine.Cpu;

/// <summary>
/// The CPU manager's view of the machine (docs/kubelet-rules.md §1.2): every online CPU with
/// its core, socket, NUMA node and uncore cache, plus the derived per-unit CPU sets.
/// </summary>
/// <remarks>
/// Units (sockets, NUMA nodes, cores, uncore caches) are numbered densely in ascending id order,
/// so "sort by id" and "sort by dense index" agree. Everything is precomputed once; the lookups
/// the allocators use are array reads and never allocate.
/// </remarks>
internal sealed class CpuTopology
{
    private readonly CpuInfo[] _cpus;

    internal readonly UnitLevel Sockets;
    internal readonly UnitLevel NumaNodes;
    internal readonly UnitLevel Cores;
    internal readonly UnitLevel UncoreCaches;

    /// <summary>NUMA node distances indexed by dense NUMA index (may be empty when unknown).</summary>
    private readonly int[][] _distances;

    private CpuTopology(CpuInfo[] cpus, int[][] distances)
    {
        _cpus = cpus;
        _distances = distances;
        foreach (CpuInfo cpu in cpus)
        {
            AllCpus.Add(cpu.Cpu);
        }
        Sockets = new UnitLevel(cpus, static c => c.SocketId);
        NumaNodes = new UnitLevel(cpus, static c => c.NumaNodeId);
        Cores = new UnitLevel(cpus, static c => c.CoreId);
        UncoreCaches = new UnitLevel(cpus, static c => c.UncoreCacheId);
    }

    /// <summary>
    /// Builds the topology from per-CPU facts. CPU ids must be unique and below <see cref="CpuSet.MaxCpus"/>;
    /// NUMA node ids must be below 64 (the Topology Manager's bitmask width, §2.1).
    /// </summary>
    public static CpuTopology Create(ReadOnlySpan<CpuInfo> cpus, int[][]? numaDistances = null)
    {
        if (cpus.IsEmpty)
        {
            throw new ArgumentException("a topology needs at least one CPU", nameof(cpus));
        }
        var sorted = cpus.ToArray();
        Array.Sort(sorted, static (a, b) => a.Cpu.CompareTo(b.Cpu));
        for (int i = 0; i < sorted.Length; i++)
        {
            CpuInfo c = sorted[i];
            if ((uint)c.Cpu >= CpuSet.MaxCpus)
            {
                throw new ArgumentException($"CPU id {c.Cpu} is outside 0..{CpuSet.MaxCpus - 1}", nameof(cpus));
            }
            if (i > 0 && sorted[i - 1].Cpu == c.Cpu)
            {
                throw new ArgumentException($"CPU {c.Cpu} is listed twice", nameof(cpus));
            }
            if ((uint)c.NumaNodeId >= 64)
            {
                throw new ArgumentException($"CPU {c.Cpu}: NUMA node id {c.NumaNodeId} is outside 0..63", nameof(cpus));
            }
            if (c.CoreId < 0 || c.SocketId < 0 || c.UncoreCacheId < 0)
            {
                throw new ArgumentException($"CPU {c.Cpu}: core, socket and uncore ids must not be negative", nameof(cpus));
            }
        }
        var topology = new CpuTopology(sorted, numaDistances ?? []);
        topology.Validate(numaDistances);
        return topology;
    }

    private void Validate(int[][]? numaDistances)
    {
        if (numaDistances is { Length: > 0 })
        {
            if (numaDistances.Length != NumaNodes.Count || Array.Exists(numaDistances, row => row.Length != NumaNodes.Count))
            {
                throw new ArgumentException($"the NUMA distance matrix must be {NumaNodes.Count}x{NumaNodes.Count} (one row and column per NUMA node, in ascending id order)");
            }
        }
    }

    /// <summary>Every CPU of the topology.</summary>
    public CpuSet AllCpus;

    public int NumCpus => _cpus.Length;

    public int NumSockets => Sockets.Count;

    public int NumCores => Cores.Count;

    public int NumNumaNodes => NumaNodes.Count;

    public int NumUncoreCaches => UncoreCaches.Count;

    /// <summary>Integer division as the kubelet does; 0 when the divisor is 0.</summary>
    public int CpusPerCore => NumCores == 0 ? 0 : NumCpus / NumCores;

    public int CpusPerSocket => NumSockets == 0 ? 0 : NumCpus / NumSockets;

    public int CpusPerUncore => NumUncoreCaches == 0 ? 0 : NumCpus / NumUncoreCaches;

    /// <summary>The per-CPU facts, ascending by CPU id.</summary>
    public ReadOnlySpan<CpuInfo> Cpus => _cpus;

    /// <summary>NUMA node ids, ascending.</summary>
    public ReadOnlySpan<int> NumaNodeIds => NumaNodes.Ids;

    public ReadOnlySpan<int> SocketIds => Sockets.Ids;

    /// <summary>CPUs of the NUMA node with id <paramref name="numaNodeId"/> (empty when unknown).</summary>
    public CpuSet CpusOfNumaNode(int numaNodeId)
    {
        int index = NumaNodes.IndexOf(numaNodeId);
        return index < 0 ? CpuSet.Empty : NumaNodes.CpusOf(index);
    }

    /// <summary>CPUs of every NUMA node whose bit is set in <paramref name="mask"/> (bit i = NUMA node id i).</summary>
    public CpuSet CpusOfNumaMask(ulong mask)
    {
        CpuSet result = default;
        for (int i = 0; i < NumaNodes.Count; i++)
        {
            if ((mask & (1UL << NumaNodes.Ids[i])) != 0)
            {
                result = result.Union(NumaNodes.CpusOf(i));
            }
        }
        return result;
    }

    /// <summary>CPUs of every socket that holds a CPU of a NUMA node in <paramref name="mask"/> (align-by-socket).</summary>
    public CpuSet CpusOfSocketsSpanningNumaMask(ulong mask)
    {
        CpuSet numaCpus = CpusOfNumaMask(mask);
        CpuSet result = default;
        for (int s = 0; s < Sockets.Count; s++)
        {
            if (Sockets.CpusOf(s).Overlaps(numaCpus))
            {
                result = result.Union(Sockets.CpusOf(s));
            }
        }
        return result;
    }

    /// <summary>The bitmask of NUMA node ids that hold any CPU of <paramref name="cpus"/>.</summary>
    public ulong NumaMaskOf(in CpuSet cpus)
    {
        ulong mask = 0;
        for (int i = 0; i < NumaNodes.Count; i++)
        {
            if (NumaNodes.CpusOf(i).Overlaps(cpus))
            {
                mask |= 1UL << NumaNodes.Ids[i];
            }
        }
        return mask;
    }

    /// <summary>Bitmask of all NUMA node ids.</summary>
    public ulong AllNumaMask
    {
        get
        {
            ulong mask = 0;
            foreach (int id in NumaNodes.Ids)
            {
                mask |= 1UL << id;
            }
            return mask;
        }
    }

    /// <summary>Number of distinct sockets holding CPUs of the NUMA nodes in <paramref name="mask"/>.</summary>
    public int SocketCountOfNumaMask(ulong mask)
    {
        CpuSet numaCpus = CpusOfNumaMask(mask);
        int count = 0;
        for (int s = 0; s < Sockets.Count; s++)
        {
            if (Sockets.CpusOf(s).Overlaps(numaCpus))
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>Distance between two NUMA node ids; 0 when the matrix is unknown.</summary>
    public int Distance(int fromNumaId, int toNumaId)
    {
        if (_distances.Length == 0)
        {
            return 0;
        }
        return _distances[NumaNodes.IndexOf(fromNumaId)][NumaNodes.IndexOf(toNumaId)];
    }

    public bool HasDistances => _distances.Length > 0;

    /// <summary>The NUMA facts the Topology Manager's hint merge needs.</summary>
    public NumaDistances NumaDistances => _numaDistances ??= new NumaDistances(NumaNodeIds, _distances);

    private NumaDistances? _numaDistances;

    /// <summary>Every thread of every core that has a CPU in <paramref name="cpus"/>.</summary>
    public CpuSet WholeCoresOf(in CpuSet cpus)
    {
        CpuSet result = default;
        foreach (int cpu in cpus)
        {
            int core = Cores.IndexOfCpu(cpu);
            if (core >= 0)
            {
                result = result.Union(Cores.CpusOf(core));
            }
        }
        return result;
    }

    /// <summary>Dense index tables for one kind of unit (socket, NUMA node, core or uncore cache).</summary>
    internal sealed class UnitLevel
    {
        private readonly int[] _ids;
        private readonly CpuSet[] _cpus;
        private readonly int[] _sizes;
        private readonly short[] _indexOfCpu;

        public UnitLevel(CpuInfo[] cpus, Func<CpuInfo, int> idOf)
        {
            var ids = new List<int>();
            foreach (CpuInfo cpu in cpus)
            {
                SortedIds.Add(ids, idOf(cpu));
            }
            _ids = [.. ids];
            _cpus = new CpuSet[_ids.Length];
            _sizes = new int[_ids.Length];
            _indexOfCpu = new short[CpuSet.MaxCpus];
            Array.Fill(_indexOfCpu, (short)-1);
            foreach (CpuInfo cpu in cpus)
            {
                int index = Array.BinarySearch(_ids, idOf(cpu));
                _cpus[index].Add(cpu.Cpu);
                _sizes[index]++;
                _indexOfCpu[cpu.Cpu] = (short)index;
            }
        }

        public int Count => _ids.Length;

        public ReadOnlySpan<int> Ids => _ids;

        public int IdOf(int index) => _ids[index];

        public int IndexOf(int id) => Array.BinarySearch(_ids, id) is int i and >= 0 ? i : -1;

        /// <summary>Dense index of the unit holding <paramref name="cpu"/>, or -1.</summary>
        public int IndexOfCpu(int cpu) => (uint)cpu < CpuSet.MaxCpus ? _indexOfCpu[cpu] : -1;

        public ref readonly CpuSet CpusOf(int index) => ref _cpus[index];

        public int SizeOf(int index) => _sizes[index];
    }
}
