namespace ResMgrLite.Engine.Topology;

/// <summary>
/// Turns raw sysfs facts into a <see cref="MachineTopology"/> using cAdvisor's grouping rules and
/// the kubelet's id conventions (docs/kubelet-rules.md §1.1, §1.2), so every id matches what
/// the kubelet would compute on the same machine.
/// </summary>
/// <remarks>
/// Pure: the host layer reads the files and feeds facts in; tests feed facts directly.
/// </remarks>
internal sealed class MachineTopologyBuilder
{
    /// <summary>Largest socket, node or cache id accepted; ids index lookup arrays.</summary>
    public const int MaxEntityId = 1 << 16;

    private readonly List<CpuFacts> _cpus = [];
    private readonly List<NumaNodeFacts> _numaNodes = [];
    private CpuSet _offline;
    private CpuSet _isolated;
    private CpuCacheSource? _caches;

    /// <summary>Adds an online CPU.</summary>
    public MachineTopologyBuilder AddCpu(in CpuFacts cpu)
    {
        _cpus.Add(cpu);
        return this;
    }

    /// <summary>
    /// Adds a NUMA node directory. When no node is added the machine is treated as a non-NUMA
    /// kernel: one node per package (§1.1 step 9).
    /// </summary>
    public MachineTopologyBuilder AddNumaNode(NumaNodeFacts node)
    {
        ArgumentNullException.ThrowIfNull(node);
        _numaNodes.Add(node);
        return this;
    }

    public MachineTopologyBuilder WithOfflineCpus(in CpuSet offline)
    {
        _offline = offline;
        return this;
    }

    public MachineTopologyBuilder WithIsolatedCpus(in CpuSet isolated)
    {
        _isolated = isolated;
        return this;
    }

    /// <summary>Where cache facts come from; without it no uncore caches exist and uncore id = socket id.</summary>
    public MachineTopologyBuilder WithCaches(CpuCacheSource caches)
    {
        _caches = caches;
        return this;
    }

    /// <summary>Builds the model; throws <see cref="InvalidTopologyException"/> when the facts contradict each other.</summary>
    public MachineTopology Build()
    {
        CpuFacts[] cpus = SortedUniqueCpus();
        if (cpus.Length == 0)
        {
            // The kubelet refuses a machine with NumCores == 0 (§1.2); so do we.
            TopologyThrowHelper.ThrowInvalid("no online CPU was found");
        }
        CpuSet online = default;
        foreach (CpuFacts cpu in cpus)
        {
            online.Add(cpu.Cpu);
        }
        if (online.Overlaps(_offline))
        {
            TopologyThrowHelper.ThrowInvalid($"CPUs {online.Intersect(_offline)} are listed both online and offline");
        }

        bool hasNuma = _numaNodes.Count > 0;
        NumaNodeFacts[] nodeFacts = hasNuma ? SortedUniqueNodes() : NodesFromPackages(cpus);
        int[] nodeOfCpu = AssignNodes(cpus, nodeFacts, online);

        List<CoreGroup> cores = GroupCores(cpus, nodeOfCpu);
        var sharedCaches = new List<SharedCacheInfo>();
        ClassifyCaches(cores, sharedCaches);
        cores.Sort(static (a, b) => a.Id.CompareTo(b.Id));

        var coreOfCpu = new Dictionary<int, CoreGroup>(cpus.Length);
        foreach (CoreGroup core in cores)
        {
            foreach (int cpu in core.Threads)
            {
                coreOfCpu[cpu] = core;
            }
        }

        var cpuInfos = new CpuInfo[cpus.Length];
        var hardware = new CpuHardwareIds[cpus.Length];
        for (int i = 0; i < cpus.Length; i++)
        {
            CpuFacts facts = cpus[i];
            CoreGroup core = coreOfCpu[facts.Cpu];
            cpuInfos[i] = new CpuInfo(facts.Cpu, core.Id, core.PackageId, core.NodeId, core.UncoreCacheId);
            hardware[i] = new CpuHardwareIds(facts.Cpu, facts.PhysicalCoreId, facts.DieId, facts.ClusterId);
        }

        var coreInfos = new CoreInfo[cores.Count];
        for (int i = 0; i < coreInfos.Length; i++)
        {
            CoreGroup c = cores[i];
            coreInfos[i] = new CoreInfo(c.Id, c.PhysicalCoreId, c.PackageId, c.NodeId, c.UncoreCacheId, c.Threads);
        }

        sharedCaches.Sort(static (a, b) => a.Level != b.Level ? a.Level.CompareTo(b.Level) : a.Cpus.Min().CompareTo(b.Cpus.Min()));

        return new MachineTopology(
            cpuInfos,
            hardware,
            coreInfos,
            BuildSockets(cpuInfos),
            BuildNodes(nodeFacts, cpuInfos, online, hasNuma),
            BuildUncoreGroups(cores),
            sharedCaches.ToArray(),
            _offline,
            _isolated,
            hasNuma);
    }

    private CpuFacts[] SortedUniqueCpus()
    {
        CpuFacts[] cpus = _cpus.ToArray();
        Array.Sort(cpus, static (a, b) => a.Cpu.CompareTo(b.Cpu));
        for (int i = 0; i < cpus.Length; i++)
        {
            CpuFacts cpu = cpus[i];
            if ((uint)cpu.Cpu >= CpuSet.MaxCpus)
            {
                TopologyThrowHelper.ThrowInvalid($"cpu {cpu.Cpu} is outside the supported range 0-{CpuSet.MaxCpus - 1}");
            }
            if (i > 0 && cpus[i - 1].Cpu == cpu.Cpu)
            {
                TopologyThrowHelper.ThrowInvalid($"cpu {cpu.Cpu} was given twice");
            }
            CheckEntityId(cpu.PackageId, $"cpu {cpu.Cpu} physical_package_id");
            if (cpu.PhysicalCoreId < 0)
            {
                TopologyThrowHelper.ThrowInvalid($"cpu {cpu.Cpu} core_id {cpu.PhysicalCoreId} is negative");
            }
        }
        return cpus;
    }

    private NumaNodeFacts[] SortedUniqueNodes()
    {
        NumaNodeFacts[] nodes = _numaNodes.ToArray();
        Array.Sort(nodes, static (a, b) => a.Id.CompareTo(b.Id));
        for (int i = 0; i < nodes.Length; i++)
        {
            CheckEntityId(nodes[i].Id, "NUMA node id");
            if (i > 0 && nodes[i - 1].Id == nodes[i].Id)
            {
                TopologyThrowHelper.ThrowInvalid($"NUMA node {nodes[i].Id} was given twice");
            }
            int distances = nodes[i].Distances.Count;
            if (distances != 0 && distances != nodes.Length)
            {
                TopologyThrowHelper.ThrowInvalid(
                    $"NUMA node {nodes[i].Id} has {distances} distances but the machine has {nodes.Length} nodes");
            }
        }
        return nodes;
    }

    // Non-NUMA kernels: every package is a node with the package id and no memory facts (§1.1 step 9).
    private static NumaNodeFacts[] NodesFromPackages(CpuFacts[] cpus)
    {
        var packages = new List<int>();
        foreach (CpuFacts cpu in cpus)
        {
            SortedIds.Add(packages, cpu.PackageId);
        }
        var packageCpus = new CpuSet[packages.Count];
        foreach (CpuFacts cpu in cpus)
        {
            int index = packages.BinarySearch(cpu.PackageId);
            packageCpus[index] = packageCpus[index].With(cpu.Cpu);
        }
        var nodes = new NumaNodeFacts[packages.Count];
        for (int i = 0; i < nodes.Length; i++)
        {
            nodes[i] = new NumaNodeFacts(packages[i], packageCpus[i], 0, 0, [], []);
        }
        return nodes;
    }

    private static int[] AssignNodes(CpuFacts[] cpus, NumaNodeFacts[] nodes, in CpuSet online)
    {
        int[] nodeOfCpu = new int[CpuSet.MaxCpus];
        nodeOfCpu.AsSpan().Fill(-1);
        foreach (NumaNodeFacts node in nodes)
        {
            foreach (int cpu in node.Cpus.Intersect(online))
            {
                if (nodeOfCpu[cpu] != -1)
                {
                    TopologyThrowHelper.ThrowInvalid($"cpu {cpu} is listed under NUMA nodes {nodeOfCpu[cpu]} and {node.Id}");
                }
                nodeOfCpu[cpu] = node.Id;
            }
        }
        foreach (CpuFacts cpu in cpus)
        {
            if (nodeOfCpu[cpu.Cpu] == -1)
            {
                TopologyThrowHelper.ThrowInvalid($"online cpu {cpu.Cpu} is listed under no NUMA node");
            }
        }
        return nodeOfCpu;
    }

    // cAdvisor groups threads into a core per node by (core_id, physical_package_id) (§1.1 step 4);
    // the kubelet then names the core after its smallest thread (§1.2).
    private static List<CoreGroup> GroupCores(CpuFacts[] cpus, int[] nodeOfCpu)
    {
        var byKey = new Dictionary<(int Node, int Package, int Core), CoreGroup>();
        var cores = new List<CoreGroup>();
        foreach (CpuFacts cpu in cpus)
        {
            var key = (nodeOfCpu[cpu.Cpu], cpu.PackageId, cpu.PhysicalCoreId);
            if (!byKey.TryGetValue(key, out CoreGroup? core))
            {
                // cpus are ascending, so the first thread seen is the smallest: the kubelet core id.
                core = new CoreGroup(cpu.Cpu, cpu.PhysicalCoreId, cpu.PackageId, key.Item1);
                byKey.Add(key, core);
                cores.Add(core);
            }
            core.Threads = core.Threads.With(cpu.Cpu);
        }
        return cores;
    }

    // cAdvisor's addCacheInfo (§1.1 step 8): for the first thread of each core, a level > 2 cache
    // shared by (cores in node × threads of this core) CPUs is a node cache; any other level > 2
    // cache is one of the core's uncore caches. The kubelet takes the first uncore cache's id,
    // or the socket id when there is none (§1.2).
    private void ClassifyCaches(List<CoreGroup> cores, List<SharedCacheInfo> sharedCaches)
    {
        var coresPerNode = new Dictionary<int, int>();
        foreach (CoreGroup core in cores)
        {
            coresPerNode[core.NodeId] = coresPerNode.GetValueOrDefault(core.NodeId) + 1;
        }
        var seenShared = new HashSet<(int Level, string Type, int Id, CpuSet Cpus)>();
        foreach (CoreGroup core in cores)
        {
            core.UncoreCacheId = core.PackageId;
            if (_caches is null)
            {
                continue;
            }
            int threadsOfNode = coresPerNode[core.NodeId] * core.Threads.Count;
            bool uncoreFound = false;
            foreach (CacheFacts cache in _caches(core.Id))
            {
                if (cache.Level <= 2)
                {
                    continue;
                }
                if (seenShared.Add((cache.Level, cache.Type, cache.Id, cache.SharedCpus)))
                {
                    sharedCaches.Add(new SharedCacheInfo(cache.Level, cache.Type, cache.Id, cache.SizeBytes, cache.SharedCpus));
                }
                // Without an id file cAdvisor's cache read fails and the kubelet sees no uncore cache.
                if (uncoreFound || cache.Id < 0 || cache.SharedCpus.Count == threadsOfNode)
                {
                    continue;
                }
                CheckEntityId(cache.Id, $"cpu {core.Id} level {cache.Level} cache id");
                uncoreFound = true;
                core.UncoreCacheId = cache.Id;
                core.UncoreLevel = cache.Level;
                core.UncoreSizeBytes = cache.SizeBytes;
            }
        }
    }

    private static SocketInfo[] BuildSockets(CpuInfo[] cpus)
    {
        var ids = new List<int>();
        foreach (CpuInfo cpu in cpus)
        {
            SortedIds.Add(ids, cpu.SocketId);
        }
        var socketCpus = new CpuSet[ids.Count];
        var socketNodes = new List<int>[ids.Count];
        var socketCores = new List<int>[ids.Count];
        for (int i = 0; i < ids.Count; i++)
        {
            socketNodes[i] = [];
            socketCores[i] = [];
        }
        foreach (CpuInfo cpu in cpus)
        {
            int index = ids.BinarySearch(cpu.SocketId);
            socketCpus[index] = socketCpus[index].With(cpu.Cpu);
            SortedIds.Add(socketNodes[index], cpu.NumaNodeId);
            SortedIds.Add(socketCores[index], cpu.CoreId);
        }
        var result = new SocketInfo[ids.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = new SocketInfo(ids[i], socketCpus[i], [.. socketNodes[i]], [.. socketCores[i]]);
        }
        return result;
    }

    private static NumaNodeInfo[] BuildNodes(NumaNodeFacts[] nodes, CpuInfo[] cpus, in CpuSet online, bool hasNuma)
    {
        var result = new NumaNodeInfo[nodes.Length];
        for (int i = 0; i < nodes.Length; i++)
        {
            NumaNodeFacts facts = nodes[i];
            CpuSet nodeCpus = facts.Cpus.Intersect(online);
            var socketIds = new List<int>();
            foreach (CpuInfo cpu in cpus)
            {
                if (cpu.NumaNodeId == facts.Id)
                {
                    SortedIds.Add(socketIds, cpu.SocketId);
                }
            }
            HugePagePool[] hugePages = BySize(facts.HugePages);
            int[] distances = [];
            if (hasNuma)
            {
                distances = new int[facts.Distances.Count];
                for (int d = 0; d < distances.Length; d++)
                {
                    distances[d] = facts.Distances[d];
                }
            }
            result[i] = new NumaNodeInfo(
                facts.Id, nodeCpus, [.. socketIds], facts.MemoryTotalBytes, facts.MemoryFreeBytes, hugePages, distances);
        }
        return result;
    }

    private static UncoreCacheInfo[] BuildUncoreGroups(List<CoreGroup> cores)
    {
        var ids = new List<int>();
        foreach (CoreGroup core in cores)
        {
            SortedIds.Add(ids, core.UncoreCacheId);
        }
        var groupCpus = new CpuSet[ids.Count];
        var levels = new int[ids.Count];
        var sizes = new long[ids.Count];
        foreach (CoreGroup core in cores)
        {
            int index = ids.BinarySearch(core.UncoreCacheId);
            // A real cache wins over the socket fallback if both end up with the same id,
            // as they would in the kubelet's map keyed by id.
            int level = Math.Max(levels[index], core.UncoreLevel);
            sizes[index] = levels[index] >= core.UncoreLevel ? sizes[index] : core.UncoreSizeBytes;
            levels[index] = level;
            groupCpus[index] = groupCpus[index].Union(core.Threads);
        }
        var result = new UncoreCacheInfo[ids.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = new UncoreCacheInfo(ids[i], groupCpus[i], levels[i], sizes[i], levels[i] == 0);
        }
        return result;
    }

    /// <summary>The pools by page size, smallest first; pools of one size keep their order (a stable insertion sort: a node has two or three pools).</summary>
    private static HugePagePool[] BySize(IReadOnlyList<HugePagePool> pools)
    {
        var sorted = new HugePagePool[pools.Count];
        for (int i = 0; i < sorted.Length; i++)
        {
            HugePagePool pool = pools[i];
            int at = i;
            while (at > 0 && sorted[at - 1].PageSizeKiB > pool.PageSizeKiB)
            {
                sorted[at] = sorted[at - 1];
                at--;
            }
            sorted[at] = pool;
        }
        return sorted;
    }

    private static void CheckEntityId(int id, string what)
    {
        if ((uint)id > MaxEntityId)
        {
            TopologyThrowHelper.ThrowInvalid($"{what} {id} is outside the supported range 0-{MaxEntityId}");
        }
    }

    /// <summary>A core while it is being assembled.</summary>
    private sealed class CoreGroup(int id, int physicalCoreId, int packageId, int nodeId)
    {
        public int Id { get; } = id;

        public int PhysicalCoreId { get; } = physicalCoreId;

        public int PackageId { get; } = packageId;

        public int NodeId { get; } = nodeId;

        public CpuSet Threads { get; set; }

        public int UncoreCacheId { get; set; }

        public int UncoreLevel { get; set; }

        public long UncoreSizeBytes { get; set; }
    }
}
