namespace ResMgrLite.Simulate;

// The parts of a captured `resmgrlite topology --json` document (Commands/TopologyCommand.FormatJson)
// that rebuild the machine: what sysfs said about each CPU, node and cache. Ids the builder derives
// (kubelet core ids, uncore groups, sockets) are recomputed, never trusted from the file.
// TopologyDocumentReader fills these from the JSON.

internal sealed class TopologyDocument
{
    public string? Offline { get; set; }

    public string? Isolated { get; set; }

    public bool? HasNumaInformation { get; set; }

    public List<TopologyCpuDocument>? Cpus { get; set; }

    public List<TopologyNodeDocument>? NumaNodes { get; set; }

    public List<TopologyCacheDocument>? SharedCaches { get; set; }

    public TopologyCgroupsDocument? Cgroups { get; set; }
}

internal sealed class TopologyCpuDocument
{
    public int Cpu { get; set; }

    public int SocketId { get; set; }

    public int PhysicalCoreId { get; set; }

    public int DieId { get; set; } = -1;

    public int ClusterId { get; set; } = -1;
}

internal sealed class TopologyNodeDocument
{
    public int Id { get; set; }

    public string? Cpus { get; set; }

    public long MemoryTotalBytes { get; set; }

    public long MemoryFreeBytes { get; set; }

    public List<TopologyHugePagesDocument>? HugePages { get; set; }

    public List<int>? Distances { get; set; }
}

internal sealed class TopologyHugePagesDocument
{
    public long PageSizeKiB { get; set; }

    public long Total { get; set; }

    public long Free { get; set; }
}

internal sealed class TopologyCacheDocument
{
    public int Level { get; set; }

    public string? Type { get; set; }

    public int Id { get; set; } = -1;

    public long SizeBytes { get; set; }

    public string? Cpus { get; set; }
}

internal sealed class TopologyCgroupsDocument
{
    /// <summary>unified, hybrid, legacy or none.</summary>
    public string? Mode { get; set; }
}
