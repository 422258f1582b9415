using ResMgrLite.Engine;
using ResMgrLite.Engine.Topology;

namespace ResMgrLite.TestSupport.Sysfs;

/// <summary>
/// A synthetic machine laid out from <see cref="SysfsMachineSettings"/>: every logical CPU with its
/// socket, core, thread, NUMA node and L3. Writes itself as a sysfs tree, builds the engine model
/// directly (no disk), and states what the kubelet would report for it.
/// </summary>
internal sealed class SysfsMachine
{
    private readonly FixtureCpu[] _cpus;

    internal SysfsMachine(SysfsMachineSettings settings)
    {
        Settings = settings;
        Validate(settings);
        int totalCores = settings.Sockets * settings.CoresPerSocket;
        int coresPerNode = settings.CoresPerSocket / settings.NumaNodesPerSocket;
        int coresPerL3 = settings.CoresPerL3 == 0 ? settings.CoresPerSocket : settings.CoresPerL3;
        int l3PerSocket = settings.CoresPerSocket / coresPerL3;

        _cpus = new FixtureCpu[totalCores * settings.ThreadsPerCore];
        for (int socket = 0; socket < settings.Sockets; socket++)
        {
            for (int core = 0; core < settings.CoresPerSocket; core++)
            {
                int globalCore = socket * settings.CoresPerSocket + core;
                int node = settings.SocketsPerNumaNode > 1
                    ? socket / settings.SocketsPerNumaNode
                    : socket * settings.NumaNodesPerSocket + core / coresPerNode;
                int l3 = settings.HasL3 ? socket * l3PerSocket + core / coresPerL3 : -1;
                for (int thread = 0; thread < settings.ThreadsPerCore; thread++)
                {
                    int cpu = settings.Numbering == SiblingNumbering.FarApart
                        ? thread * totalCores + globalCore
                        : globalCore * settings.ThreadsPerCore + thread;
                    _cpus[cpu] = new FixtureCpu(cpu, socket, core, globalCore, thread, node, l3);
                }
            }
        }
        Online = CpuSet.Range(0, _cpus.Length - 1).Except(settings.Offline);
        NumaNodeCount = settings.SocketsPerNumaNode > 1
            ? settings.Sockets / settings.SocketsPerNumaNode
            : settings.Sockets * settings.NumaNodesPerSocket;
    }

    public SysfsMachineSettings Settings { get; }

    /// <summary>Every CPU the machine has (online or not), indexed by CPU id.</summary>
    public ReadOnlySpan<FixtureCpu> Cpus => _cpus;

    public CpuSet Online { get; }

    public CpuSet Offline => Settings.Offline;

    public CpuSet Isolated => Settings.Isolated;

    public int NumaNodeCount { get; }

    /// <summary>All CPUs (online or not) of a NUMA node.</summary>
    public CpuSet NodeCpus(int node) => Select(c => c.NumaNode == node);

    /// <summary>Online CPUs sharing an L3.</summary>
    public CpuSet L3Cpus(int l3) => Select(c => c.L3 == l3).Intersect(Online);

    /// <summary>Online threads of a core (by global core index).</summary>
    public CpuSet CoreThreads(int globalCore) => Select(c => c.GlobalCore == globalCore).Intersect(Online);

    /// <summary>Sockets the node's CPUs belong to.</summary>
    public IReadOnlySet<int> NodeSockets(int node) =>
        _cpus.Where(c => c.NumaNode == node).Select(c => c.Socket).ToHashSet();

    /// <summary>The generator's NUMA distance between two nodes.</summary>
    public int Distance(int from, int to) =>
        from == to ? Settings.LocalDistance
        : NodeSockets(from).Overlaps(NodeSockets(to)) ? Settings.SameSocketDistance
        : Settings.RemoteDistance;

    /// <summary>
    /// What the kubelet's CPU manager would record for each online CPU, derived from the layout
    /// with the rules of docs/kubelet-rules.md §1.2 (core id = smallest thread; uncore = the
    /// L3 unless that L3 spans the whole node, else the socket).
    /// </summary>
    public IEnumerable<CpuInfo> ExpectedCpuInfos()
    {
        foreach (int cpu in Online)
        {
            FixtureCpu fixture = _cpus[cpu];
            CpuSet threads = CoreThreads(fixture.GlobalCore);
            int node = Settings.HasNumaDirectories ? fixture.NumaNode : fixture.Socket;
            CpuSet nodeCpus = Settings.HasNumaDirectories
                ? NodeCpus(node).Intersect(Online)
                : Select(c => c.Socket == fixture.Socket).Intersect(Online);
            int onlineCoresInNode = _cpus.Where(c => nodeCpus.Contains(c.Cpu)).Select(c => c.GlobalCore).Distinct().Count();
            bool l3IsUncore = Settings.HasCaches && Settings.HasL3 &&
                L3Cpus(fixture.L3).Count != onlineCoresInNode * threads.Count;
            int uncore = l3IsUncore ? fixture.L3 : fixture.Socket;
            yield return new CpuInfo(cpu, threads.Min(), fixture.Socket, node, uncore);
        }
    }

    /// <summary>Builds the engine model straight from the layout, for tests that need no files.</summary>
    public MachineTopology ToTopology()
    {
        var builder = new MachineTopologyBuilder().WithOfflineCpus(Offline).WithIsolatedCpus(Isolated);
        foreach (int cpu in Online)
        {
            FixtureCpu c = _cpus[cpu];
            builder.AddCpu(new CpuFacts(cpu, c.PhysicalCoreId, c.Socket, DieId(c), ClusterId(c)));
        }
        if (Settings.HasNumaDirectories)
        {
            for (int node = 0; node < NumaNodeCount; node++)
            {
                var hugePages = Settings.HugePages.Select(h => new HugePagePool(h.PageSizeKiB, h.Total, h.Free)).ToArray();
                var distances = Enumerable.Range(0, NumaNodeCount).Select(to => Distance(node, to)).ToArray();
                builder.AddNumaNode(new NumaNodeFacts(
                    node, NodeCpus(node), Settings.MemoryTotalKiB * 1024, Settings.MemoryFreeKiB * 1024, hugePages, distances));
            }
        }
        if (Settings.HasCaches)
        {
            builder.WithCaches(cpu => Caches(_cpus[cpu]).Select(c => c.Facts).ToArray());
        }
        return builder.Build();
    }

    /// <summary>Writes the tree into a new temporary directory that is deleted on dispose.</summary>
    public SysfsTree WriteTree()
    {
        var tree = SysfsTree.CreateEmpty();
        try
        {
            SysfsTreeWriter.Write(this, tree.SysfsRoot, tree.ProcRoot);
            return tree;
        }
        catch
        {
            tree.Dispose();
            throw;
        }
    }

    internal int DieId(in FixtureCpu cpu) => cpu.PhysicalCoreId / (Settings.CoresPerSocket / Settings.DiesPerSocket);

    internal int ClusterId(in FixtureCpu cpu) =>
        Settings.CoresPerCluster == 0 ? -1 : cpu.PhysicalCoreId / Settings.CoresPerCluster;

    /// <summary>The cache directories of a CPU: L1d, L1i, L2 per core, and the L3 of its group.</summary>
    internal IEnumerable<(string Name, CacheFacts Facts)> Caches(FixtureCpu cpu)
    {
        if (!Settings.OnlyL3Caches)
        {
            CpuSet coreThreads = CoreThreads(cpu.GlobalCore);
            yield return ("index0", new CacheFacts(1, "Data", cpu.GlobalCore, 32 * 1024, coreThreads));
            yield return ("index1", new CacheFacts(1, "Instruction", cpu.GlobalCore, 32 * 1024, coreThreads));
            yield return ("index2", new CacheFacts(2, "Unified", cpu.GlobalCore, 1024 * 1024, coreThreads));
        }
        if (Settings.HasL3)
        {
            yield return ("index3", new CacheFacts(3, "Unified", cpu.L3, 32L * 1024 * 1024, L3Cpus(cpu.L3)));
        }
    }

    private CpuSet Select(Func<FixtureCpu, bool> predicate)
    {
        CpuSet set = CpuSet.Empty;
        foreach (FixtureCpu cpu in _cpus)
        {
            if (predicate(cpu))
            {
                set = set.With(cpu.Cpu);
            }
        }
        return set;
    }

    private static void Validate(SysfsMachineSettings s)
    {
        int cpus = s.Sockets * s.CoresPerSocket * s.ThreadsPerCore;
        Require(cpus <= CpuSet.MaxCpus, $"{cpus} CPUs exceed {CpuSet.MaxCpus}");
        Require(s.CoresPerSocket % s.NumaNodesPerSocket == 0, "cores per socket must divide into the NUMA nodes per socket");
        Require(s.Sockets % s.SocketsPerNumaNode == 0, "sockets must divide into the sockets per NUMA node");
        Require(s.NumaNodesPerSocket == 1 || s.SocketsPerNumaNode == 1, "choose nodes per socket or sockets per node, not both");
        Require(s.CoresPerL3 == 0 || s.CoresPerSocket % s.CoresPerL3 == 0, "cores per socket must divide into L3 groups");
        Require(s.CoresPerSocket % s.DiesPerSocket == 0, "cores per socket must divide into dies");
    }

    private static void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException(problem);
        }
    }
}
