using ResMgrLite.Engine;
using ResMgrLite.Engine.Topology;
using ResMgrLite.Host.Cgroups;
using ResMgrLite.Host.Sysfs;

namespace ResMgrLite.Simulate;

/// <summary>The machine to simulate on: a sysfs tree (this machine's <c>/sys</c> or a copy) or a captured <c>resmgrlite topology --json</c>.</summary>
internal sealed record MachineInput(MachineTopology Machine, CgroupMode Cgroups)
{
    private const string Shape = "ids and sizes are numbers, cpulists strings, lists arrays: the document resmgrlite topology --json prints";

    /// <summary>A directory is read as sysfs (its cgroups from <paramref name="procRoot"/>); a file as a captured topology.</summary>
    public static MachineInput Load(string path, string procRoot)
    {
        if (Directory.Exists(path))
        {
            try
            {
                return new MachineInput(SysfsTopologyDiscovery.Discover(path), CgroupDetector.Detect(procRoot, path).Mode);
            }
            catch (TopologyDiscoveryException e)
            {
                throw new SimulationInputException($"cannot read the machine from the sysfs tree {path}: {e.Message}");
            }
        }
        return Parse(JsonInput.ReadFile(path, "a sysfs directory or a file from resmgrlite topology --json"), path);
    }

    public static MachineInput Parse(ReadOnlySpan<byte> utf8, string source)
    {
        TopologyDocument document = JsonInput.Deserialize(utf8, source, TopologyDocumentReader.Read, Shape);
        if (document.Cpus is not { Count: > 0 } cpus)
        {
            throw new SimulationInputException($"{source}: \"cpus\" is missing or empty: capture the machine with resmgrlite topology --json on it");
        }
        var builder = new MachineTopologyBuilder()
            .WithOfflineCpus(CpuList(document.Offline, source, "offline"))
            .WithIsolatedCpus(CpuList(document.Isolated, source, "isolated"));
        foreach (TopologyCpuDocument cpu in cpus)
        {
            builder.AddCpu(new CpuFacts(cpu.Cpu, cpu.PhysicalCoreId, cpu.SocketId, cpu.DieId, cpu.ClusterId));
        }
        // Without NUMA information the builder makes one node per socket itself, as discovery does.
        if (document.HasNumaInformation != false)
        {
            foreach (TopologyNodeDocument node in document.NumaNodes ?? [])
            {
                var pages = new List<HugePagePool>();
                foreach (TopologyHugePagesDocument p in node.HugePages ?? [])
                {
                    pages.Add(new HugePagePool(p.PageSizeKiB, p.Total, p.Free));
                }
                builder.AddNumaNode(new NumaNodeFacts(node.Id, CpuList(node.Cpus, source, $"numaNodes (node {node.Id}) cpus"),
                    node.MemoryTotalBytes, node.MemoryFreeBytes, pages, node.Distances ?? []));
            }
        }
        var caches = new List<CacheFacts>();
        foreach (TopologyCacheDocument cache in document.SharedCaches ?? [])
        {
            caches.Add(new CacheFacts(cache.Level, cache.Type ?? "Unified", cache.Id, cache.SizeBytes, CpuList(cache.Cpus, source, $"sharedCaches (L{cache.Level} id {cache.Id}) cpus")));
        }
        // The caches each CPU sees, lowest level first, as the kernel lists its cache/index* directories.
        builder.WithCaches(cpu => CachesOf(caches, cpu));
        try
        {
            return new MachineInput(builder.Build(), CgroupModeOf(document.Cgroups?.Mode, source));
        }
        catch (InvalidTopologyException e)
        {
            throw new SimulationInputException($"{source}: the machine it describes is inconsistent: {e.Message}; capture it again with resmgrlite topology --json");
        }
    }

    /// <summary>The caches <paramref name="cpu"/> is in, by level; one level's caches in file order.</summary>
    private static List<CacheFacts> CachesOf(List<CacheFacts> caches, int cpu)
    {
        var seen = new List<CacheFacts>();
        foreach (CacheFacts cache in caches)
        {
            if (!cache.SharedCpus.Contains(cpu))
            {
                continue;
            }
            int at = seen.Count;
            while (at > 0 && seen[at - 1].Level > cache.Level)
            {
                at--;
            }
            seen.Insert(at, cache);
        }
        return seen;
    }

    private static CpuSet CpuList(string? text, string source, string field)
    {
        if (string.IsNullOrEmpty(text))
        {
            return CpuSet.Empty;
        }
        return CpuSet.TryParse(text, out CpuSet set, out CpuListError error)
            ? set
            : throw new SimulationInputException($"{source}: {field}: not a cpulist {error} (write e.g. \"0-3,8\")");
    }

    /// <summary>The names <c>topology --json</c> writes; a document without cgroups counts as cgroup v2 (what Memory QoS needs), since most captures come from v2 hosts.</summary>
    private static CgroupMode CgroupModeOf(string? mode, string source) => mode switch
    {
        null or "unified" => CgroupMode.Unified,
        "hybrid" => CgroupMode.Hybrid,
        "legacy" => CgroupMode.Legacy,
        "none" => CgroupMode.None,
        _ => throw new SimulationInputException($"{source}: cgroups.mode \"{Host.Files.ErrorText.Quote(mode)}\" is not unified, hybrid, legacy or none"),
    };
}
