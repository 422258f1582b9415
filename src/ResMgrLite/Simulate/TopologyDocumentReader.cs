namespace ResMgrLite.Simulate;

/// <summary>
/// Fills a <see cref="TopologyDocument"/> from a captured <c>resmgrlite topology --json</c> through
/// <see cref="JsonFields"/>: the names that command writes (camelCase, case-sensitive), unknown fields
/// ignored (the derived ids it also prints), a repeated field's last value kept.
/// </summary>
internal static class TopologyDocumentReader
{
    public static TopologyDocument? Read(ref JsonFields json)
    {
        if (!json.StartObject())
        {
            return null;
        }
        var document = new TopologyDocument();
        while (json.NextProperty(out string name))
        {
            switch (name)
            {
                case "offline":
                    document.Offline = json.String();
                    break;
                case "isolated":
                    document.Isolated = json.String();
                    break;
                case "hasNumaInformation":
                    document.HasNumaInformation = json.Boolean();
                    break;
                case "cpus":
                    document.Cpus = Objects(ref json, Cpu);
                    break;
                case "numaNodes":
                    document.NumaNodes = Objects(ref json, Node);
                    break;
                case "sharedCaches":
                    document.SharedCaches = Objects(ref json, Cache);
                    break;
                case "cgroups":
                    document.Cgroups = Cgroups(ref json);
                    break;
                default:
                    json.Skip();
                    break;
            }
        }
        return document;
    }

    /// <summary>An array of objects; a null entry is a value of the wrong type (every entry describes something).</summary>
    private static List<T>? Objects<T>(ref JsonFields json, JsonInput.DocumentReader<T> read)
        where T : class
    {
        if (!json.StartArray())
        {
            return null;
        }
        var list = new List<T>();
        while (json.NextElement(list.Count))
        {
            list.Add(read(ref json) ?? throw json.WrongType());
        }
        return list;
    }

    private static TopologyCpuDocument? Cpu(ref JsonFields json)
    {
        if (!json.StartObject())
        {
            return null;
        }
        var cpu = new TopologyCpuDocument();
        while (json.NextProperty(out string name))
        {
            switch (name)
            {
                case "cpu":
                    cpu.Cpu = json.Int32();
                    break;
                case "socketId":
                    cpu.SocketId = json.Int32();
                    break;
                case "physicalCoreId":
                    cpu.PhysicalCoreId = json.Int32();
                    break;
                case "dieId":
                    cpu.DieId = json.Int32();
                    break;
                case "clusterId":
                    cpu.ClusterId = json.Int32();
                    break;
                default:
                    json.Skip();
                    break;
            }
        }
        return cpu;
    }

    private static TopologyNodeDocument? Node(ref JsonFields json)
    {
        if (!json.StartObject())
        {
            return null;
        }
        var node = new TopologyNodeDocument();
        while (json.NextProperty(out string name))
        {
            switch (name)
            {
                case "id":
                    node.Id = json.Int32();
                    break;
                case "cpus":
                    node.Cpus = json.String();
                    break;
                case "memoryTotalBytes":
                    node.MemoryTotalBytes = json.Int64();
                    break;
                case "memoryFreeBytes":
                    node.MemoryFreeBytes = json.Int64();
                    break;
                case "hugePages":
                    node.HugePages = Objects(ref json, HugePages);
                    break;
                case "distances":
                    node.Distances = Distances(ref json);
                    break;
                default:
                    json.Skip();
                    break;
            }
        }
        return node;
    }

    private static TopologyHugePagesDocument? HugePages(ref JsonFields json)
    {
        if (!json.StartObject())
        {
            return null;
        }
        var pages = new TopologyHugePagesDocument();
        while (json.NextProperty(out string name))
        {
            switch (name)
            {
                case "pageSizeKiB":
                    pages.PageSizeKiB = json.Int64();
                    break;
                case "total":
                    pages.Total = json.Int64();
                    break;
                case "free":
                    pages.Free = json.Int64();
                    break;
                default:
                    json.Skip();
                    break;
            }
        }
        return pages;
    }

    private static List<int>? Distances(ref JsonFields json)
    {
        if (!json.StartArray())
        {
            return null;
        }
        var distances = new List<int>();
        while (json.NextElement(distances.Count))
        {
            distances.Add(json.Int32());
        }
        return distances;
    }

    private static TopologyCacheDocument? Cache(ref JsonFields json)
    {
        if (!json.StartObject())
        {
            return null;
        }
        var cache = new TopologyCacheDocument();
        while (json.NextProperty(out string name))
        {
            switch (name)
            {
                case "level":
                    cache.Level = json.Int32();
                    break;
                case "type":
                    cache.Type = json.String();
                    break;
                case "id":
                    cache.Id = json.Int32();
                    break;
                case "sizeBytes":
                    cache.SizeBytes = json.Int64();
                    break;
                case "cpus":
                    cache.Cpus = json.String();
                    break;
                default:
                    json.Skip();
                    break;
            }
        }
        return cache;
    }

    private static TopologyCgroupsDocument? Cgroups(ref JsonFields json)
    {
        if (!json.StartObject())
        {
            return null;
        }
        var cgroups = new TopologyCgroupsDocument();
        while (json.NextProperty(out string name))
        {
            if (name == "mode")
            {
                cgroups.Mode = json.String();
            }
            else
            {
                json.Skip();
            }
        }
        return cgroups;
    }
}
