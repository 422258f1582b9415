using System.Globalization;
using ResMgrLite.Engine;
using ResMgrLite.Host.Files;
using ResMgrLite.Engine.Topology;

namespace ResMgrLite.Host.Sysfs;

/// <summary>
/// Reads CPU, cache and NUMA facts from a sysfs tree and builds the <see cref="MachineTopology"/>.
/// </summary>
/// <remarks>
/// The root directory is the test seam: production passes <c>/sys</c>, tests pass a generated
/// tree. Which files are read and how they are grouped follows cAdvisor, so the ids match the
/// kubelet's (docs/kubelet-rules.md §1.1); the extra facts (die, cluster, MemFree,
/// free_hugepages, offline, isolated) are read for display only. Every failure names the file.
/// </remarks>
internal static class SysfsTopologyDiscovery
{
    public const string DefaultSysfsRoot = "/sys";

    private const string CpuPrefix = "cpu";
    private const string NodePrefix = "node";
    private const string HugePagePrefix = "hugepages-";
    private const string HugePageSuffix = "kB";

    public static MachineTopology Discover(string sysfsRoot)
    {
        ArgumentNullException.ThrowIfNull(sysfsRoot);
        string cpuRoot = Path.Combine(sysfsRoot, "devices", "system", "cpu");
        if (!Directory.Exists(cpuRoot))
        {
            SysfsFile.Throw(cpuRoot, "is missing: the root does not look like a sysfs tree");
        }

        List<int> cpuDirs = NumberedEntries(cpuRoot, CpuPrefix);
        // §1.1 step 3: without an online file every CPU directory counts as online.
        CpuSet online = SysfsFile.TryReadCpuList(Path.Combine(cpuRoot, "online")) ?? FromIds(cpuRoot, cpuDirs);
        CpuSet offline = SysfsFile.TryReadCpuList(Path.Combine(cpuRoot, "offline")) ?? FromIds(cpuRoot, cpuDirs).Except(online);
        CpuSet isolated = SysfsFile.TryReadCpuList(Path.Combine(cpuRoot, "isolated")) ?? CpuSet.Empty;

        var builder = new MachineTopologyBuilder()
            .WithOfflineCpus(offline)
            .WithIsolatedCpus(isolated)
            .WithCaches(cpu => ReadCaches(cpuRoot, cpu));

        foreach (int cpu in online)
        {
            string cpuDir = Path.Combine(cpuRoot, CpuPrefix + cpu.ToString(CultureInfo.InvariantCulture));
            if (cpuDirs.BinarySearch(cpu) < 0)
            {
                SysfsFile.Throw(cpuDir, "is missing although the cpu is listed in " + Path.Combine(cpuRoot, "online"));
            }
            builder.AddCpu(ReadCpu(cpuDir, cpu));
        }

        string nodeRoot = Path.Combine(sysfsRoot, "devices", "system", "node");
        // §1.1 step 9: no node directories means a non-NUMA kernel; the builder then uses packages.
        List<int> nodeIds = Directory.Exists(nodeRoot) ? NumberedEntries(nodeRoot, NodePrefix) : [];
        foreach (int nodeId in nodeIds)
        {
            builder.AddNumaNode(ReadNode(Path.Combine(nodeRoot, NodePrefix + nodeId.ToString(CultureInfo.InvariantCulture)), nodeId));
        }

        try
        {
            return builder.Build();
        }
        catch (InvalidTopologyException e)
        {
            throw new TopologyDiscoveryException(sysfsRoot, e.Message, e);
        }
    }

    private static CpuFacts ReadCpu(string cpuDir, int cpu)
    {
        string topology = Path.Combine(cpuDir, "topology");
        // cAdvisor needs core_id and physical_package_id to place a CPU (§1.1 step 4). It skips a
        // CPU without them; we refuse, since a half-known machine would mislead every manager.
        int coreId = SysfsFile.ReadInt(Path.Combine(topology, "core_id"));
        int packageId = SysfsFile.ReadInt(Path.Combine(topology, "physical_package_id"));
        int dieId = SysfsFile.ReadIntOrDefault(Path.Combine(topology, "die_id"), -1);
        int clusterId = SysfsFile.ReadIntOrDefault(Path.Combine(topology, "cluster_id"), -1);
        return new CpuFacts(cpu, coreId, packageId, dieId, clusterId);
    }

    private static NumaNodeFacts ReadNode(string nodeDir, int nodeId)
    {
        // §1.1 step 2: the node's CPUs are its cpuN links, not nodeN/cpulist.
        CpuSet cpus = FromIds(nodeDir, NumberedEntries(nodeDir, CpuPrefix));

        string memInfoPath = Path.Combine(nodeDir, "meminfo");
        string? memInfoText = SysfsFile.TryReadText(memInfoPath);
        NodeMemInfo memory = memInfoText is null ? default : NodeMemInfo.Parse(memInfoPath, memInfoText);

        return new NumaNodeFacts(nodeId, cpus, memory.TotalBytes, memory.FreeBytes, ReadHugePages(nodeDir), ReadDistances(nodeDir));
    }

    private static List<HugePagePool> ReadHugePages(string nodeDir)
    {
        var pools = new List<HugePagePool>();
        string hugePagesDir = Path.Combine(nodeDir, "hugepages");
        if (!Directory.Exists(hugePagesDir))
        {
            // §1.1 step 6: kernels without huge page support have no directory; not an error.
            return pools;
        }
        foreach (string poolDir in Directory.EnumerateDirectories(hugePagesDir))
        {
            string name = Path.GetFileName(poolDir);
            if (!TryParsePoolName(name, out long pageSizeKiB))
            {
                SysfsFile.Throw(poolDir, "is not named hugepages-<size>kB");
            }
            long total = SysfsFile.ReadLong(Path.Combine(poolDir, "nr_hugepages"));
            string freePath = Path.Combine(poolDir, "free_hugepages");
            long free = SysfsFile.TryReadText(freePath) is null ? 0 : SysfsFile.ReadLong(freePath);
            pools.Add(new HugePagePool(pageSizeKiB, total, free));
        }
        return pools;
    }

    private static bool TryParsePoolName(string name, out long pageSizeKiB)
    {
        pageSizeKiB = 0;
        return name.StartsWith(HugePagePrefix, StringComparison.Ordinal) &&
            name.EndsWith(HugePageSuffix, StringComparison.Ordinal) &&
            long.TryParse(
                name.AsSpan(HugePagePrefix.Length, name.Length - HugePagePrefix.Length - HugePageSuffix.Length),
                NumberStyles.None,
                CultureInfo.InvariantCulture,
                out pageSizeKiB) &&
            pageSizeKiB > 0;
    }

    private static int[] ReadDistances(string nodeDir)
    {
        string path = Path.Combine(nodeDir, "distance");
        string? text = SysfsFile.TryReadText(path);
        if (text is null)
        {
            // §1.1 step 7: a missing distance file leaves the row empty.
            return [];
        }
        string[] fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var distances = new int[fields.Length];
        for (int i = 0; i < fields.Length; i++)
        {
            if (!int.TryParse(fields[i], NumberStyles.None, CultureInfo.InvariantCulture, out distances[i]))
            {
                SysfsFile.Throw(path, $"entry {i + 1} \"{SysfsFile.Escape(fields[i])}\" is not a non-negative integer");
            }
        }
        return distances;
    }

    // §1.1 step 8: cpuN/cache/index*/{level,type,size,id,shared_cpu_map}. A CPU without a cache
    // directory (some ARM guests) simply has no caches.
    private static List<CacheFacts> ReadCaches(string cpuRoot, int cpu)
    {
        var caches = new List<CacheFacts>();
        string cacheDir = Path.Combine(cpuRoot, CpuPrefix + cpu.ToString(CultureInfo.InvariantCulture), "cache");
        if (!Directory.Exists(cacheDir))
        {
            return caches;
        }
        foreach (int index in NumberedEntries(cacheDir, "index"))
        {
            string dir = Path.Combine(cacheDir, "index" + index.ToString(CultureInfo.InvariantCulture));
            int level = SysfsFile.ReadInt(Path.Combine(dir, "level"));
            string type = SysfsFile.ReadText(Path.Combine(dir, "type"));
            long size = ReadCacheSize(Path.Combine(dir, "size"));
            int id = SysfsFile.ReadIntOrDefault(Path.Combine(dir, "id"), -1);
            string mapPath = Path.Combine(dir, "shared_cpu_map");
            if (!CpuMaskParser.TryParse(SysfsFile.ReadText(mapPath), out CpuSet shared))
            {
                SysfsFile.Throw(mapPath, "is not a hex CPU mask like 00000000,0000000f");
            }
            caches.Add(new CacheFacts(level, type, id, size, shared));
        }
        return caches;
    }

    private static long ReadCacheSize(string path)
    {
        // The kernel prints sizes in KiB with a K suffix ("32768K").
        string text = SysfsFile.ReadText(path);
        ReadOnlySpan<char> digits = text.EndsWith('K') ? text.AsSpan(0, text.Length - 1) : text.AsSpan();
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long kib))
        {
            SysfsFile.Throw(path, $"holds \"{SysfsFile.Escape(text)}\", expected a size like 32768K");
        }
        return kib * 1024;
    }

    /// <summary>Ids of the entries named prefix + digits (cpu12, node3, index0), as cAdvisor's globs pick them.</summary>
    private static List<int> NumberedEntries(string directory, string prefix)
    {
        var ids = new List<int>();
        try
        {
            foreach (string entry in Directory.EnumerateFileSystemEntries(directory, prefix + "*"))
            {
                ReadOnlySpan<char> digits = Path.GetFileName(entry.AsSpan())[prefix.Length..];
                if (!digits.IsEmpty && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int id))
                {
                    SortedIds.Add(ids, id);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            SysfsFile.Throw(directory, $"cannot be listed: {ErrorText.Of(e, directory)}", e);
        }
        return ids;
    }

    private static CpuSet FromIds(string directory, List<int> ids)
    {
        CpuSet set = CpuSet.Empty;
        foreach (int id in ids)
        {
            if (id >= CpuSet.MaxCpus)
            {
                SysfsFile.Throw(
                    Path.Combine(directory, CpuPrefix + id.ToString(CultureInfo.InvariantCulture)),
                    $"cpu id exceeds the supported maximum {CpuSet.MaxCpus - 1}");
            }
            set = set.With(id);
        }
        return set;
    }
}
