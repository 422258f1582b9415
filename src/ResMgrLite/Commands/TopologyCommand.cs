using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ResMgrLite.Engine;
using ResMgrLite.Engine.Topology;
using ResMgrLite.Host.Cgroups;
using ResMgrLite.Host.Sysfs;

namespace ResMgrLite.Commands;

/// <summary>
/// <c>resmgrlite topology [--sysfs DIR] [--json]</c>: shows the machine as the resource managers
/// see it (sockets → NUMA nodes → cores → threads, uncore/L3 groups, memory and huge pages per
/// node, distances, isolated/offline CPUs) and the host's cgroup situation.
/// </summary>
internal static class TopologyCommand
{
    private const int Success = 0;
    private const int Failure = 1;

    /// <summary>Discovers and prints; returns the process exit code (1 when the sysfs tree is unusable).</summary>
    internal static int Run(string sysfsRoot, string procRoot, bool json, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        MachineTopology topology;
        try
        {
            topology = SysfsTopologyDiscovery.Discover(sysfsRoot);
        }
        catch (TopologyDiscoveryException e)
        {
            stderr.WriteLine($"resmgrlite topology: {e.Message}");
            return Failure;
        }
        CgroupSituation cgroups = CgroupDetector.Detect(procRoot, sysfsRoot);

        if (json)
        {
            stdout.WriteLine(FormatJson(topology, cgroups));
        }
        else
        {
            stdout.Write(FormatText(topology, cgroups));
        }
        return Success;
    }

    internal static string FormatText(MachineTopology topology, CgroupSituation cgroups)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"Machine: {Plural(topology.Sockets.Length, "socket")}, {Plural(topology.NumaNodes.Length, "NUMA node")}, ");
        text.Append(CultureInfo.InvariantCulture,
            $"{Plural(topology.Cores.Length, "core")}, {Plural(topology.Cpus.Length, "CPU")}\n");
        text.Append(CultureInfo.InvariantCulture, $"Online CPUs:   {List(topology.OnlineCpus)}\n");
        text.Append(CultureInfo.InvariantCulture, $"Offline CPUs:  {List(topology.OfflineCpus)}\n");
        text.Append(CultureInfo.InvariantCulture, $"Isolated CPUs: {List(topology.IsolatedCpus)}\n");
        if (!topology.HasNumaInformation)
        {
            text.Append("NUMA: the kernel exposes no NUMA nodes; each socket stands in for one (no memory data)\n");
        }

        foreach (SocketInfo socket in topology.Sockets)
        {
            text.Append(CultureInfo.InvariantCulture, $"Socket {socket.Id}: CPUs {socket.Cpus}\n");
            foreach (int nodeId in socket.NumaNodeIds)
            {
                NumaNodeInfo node = topology.GetNumaNode(nodeId);
                string span = node.SocketIds.Length > 1 ? $" (spans sockets {string.Join(',', node.SocketIds.ToArray())})" : "";
                text.Append(CultureInfo.InvariantCulture, $"  NUMA node {node.Id}: CPUs {node.Cpus}{span}\n");
                AppendNodeMemory(text, node, "    ", topology.HasNumaInformation);
                foreach (CoreInfo core in topology.Cores)
                {
                    if (core.SocketId == socket.Id && core.NumaNodeId == node.Id)
                    {
                        text.Append(CultureInfo.InvariantCulture,
                            $"    Core {core.Id} (core_id {core.PhysicalCoreId}): threads {core.Threads}, uncore {core.UncoreCacheId}\n");
                    }
                }
            }
        }

        foreach (NumaNodeInfo node in topology.NumaNodes)
        {
            if (node.Cpus.IsEmpty)
            {
                text.Append(CultureInfo.InvariantCulture, $"NUMA node {node.Id}: no CPUs (memory only)\n");
                AppendNodeMemory(text, node, "  ", topology.HasNumaInformation);
            }
        }

        AppendDistances(text, topology);
        AppendCaches(text, topology);
        AppendCgroups(text, cgroups);
        return text.ToString();
    }

    private static void AppendNodeMemory(StringBuilder text, NumaNodeInfo node, string indent, bool hasNuma)
    {
        if (!hasNuma)
        {
            return;
        }
        text.Append(CultureInfo.InvariantCulture,
            $"{indent}Memory: {Bytes(node.MemoryTotalBytes)} total, {Bytes(node.MemoryFreeBytes)} free\n");
        foreach (HugePagePool pool in node.HugePages)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{indent}{pool.ResourceName}: {pool.Total} pages ({Bytes(pool.TotalBytes)}), {pool.Free} free\n");
        }
    }

    private static void AppendDistances(StringBuilder text, MachineTopology topology)
    {
        ReadOnlySpan<NumaNodeInfo> nodes = topology.NumaNodes;
        bool anyDistances = false;
        foreach (NumaNodeInfo node in nodes)
        {
            anyDistances |= !node.Distances.IsEmpty;
        }
        if (!anyDistances)
        {
            text.Append("NUMA distances: not reported by the kernel\n");
            return;
        }
        text.Append("NUMA distances:\n  node");
        foreach (NumaNodeInfo to in nodes)
        {
            text.Append(CultureInfo.InvariantCulture, $" {to.Id,4}");
        }
        text.Append('\n');
        foreach (NumaNodeInfo from in nodes)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {from.Id,4}");
            foreach (NumaNodeInfo to in nodes)
            {
                int distance = topology.GetDistance(from.Id, to.Id);
                text.Append(distance < 0 ? "    -" : string.Create(CultureInfo.InvariantCulture, $" {distance,4}"));
            }
            text.Append('\n');
        }
    }

    private static void AppendCaches(StringBuilder text, MachineTopology topology)
    {
        text.Append("Uncore cache groups (kubelet UncoreCacheID):\n");
        foreach (UncoreCacheInfo group in topology.UncoreCaches)
        {
            string what = group.IsSocketFallback
                ? "socket (no L3 below node level)"
                : $"L{group.Level} {Bytes(group.SizeBytes)}";
            text.Append(CultureInfo.InvariantCulture, $"  uncore {group.Id}: CPUs {group.Cpus}, {what}\n");
        }
        if (topology.SharedCaches.IsEmpty)
        {
            text.Append("L3+ caches: none reported\n");
            return;
        }
        text.Append("L3+ caches (as the kernel reports them):\n");
        foreach (SharedCacheInfo cache in topology.SharedCaches)
        {
            string id = cache.Id < 0 ? "?" : cache.Id.ToString(CultureInfo.InvariantCulture);
            text.Append(CultureInfo.InvariantCulture,
                $"  L{cache.Level} {cache.Type} id {id}: {Bytes(cache.SizeBytes)}, CPUs {cache.Cpus}\n");
        }
    }

    private static void AppendCgroups(StringBuilder text, CgroupSituation cgroups)
    {
        string mode = cgroups.Mode switch
        {
            CgroupMode.Unified => "cgroup v2 (unified)",
            CgroupMode.Hybrid => "cgroup v1 hybrid (v1 controllers plus a cgroup2 mount)",
            CgroupMode.Legacy => "cgroup v1 (legacy, no cgroup2 mount)",
            CgroupMode.None => "no cgroup file system mounted",
            _ => "unknown",
        };
        text.Append(CultureInfo.InvariantCulture, $"cgroups: {mode}\n");
        if (cgroups.UnifiedMountPoint is not null)
        {
            string controllers = cgroups.UnifiedControllers.Count == 0 ? "(none)" : string.Join(' ', cgroups.UnifiedControllers);
            text.Append(CultureInfo.InvariantCulture, $"  cgroup2 at {cgroups.UnifiedMountPoint}, controllers: {controllers}\n");
        }
        foreach (CgroupV1Hierarchy hierarchy in cgroups.V1Hierarchies)
        {
            text.Append(CultureInfo.InvariantCulture, $"  v1 {string.Join(',', hierarchy.Controllers)} at {hierarchy.MountPoint}\n");
        }
        if (cgroups.Mode != CgroupMode.Unified)
        {
            // Memory QoS writes memory.min/low/high, which only exist in cgroup v2 (docs/kubelet-rules.md §6).
            text.Append("  Memory QoS needs cgroup v2 and is unavailable on this host\n");
        }
        if (cgroups.Problem is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"  problem: {cgroups.Problem}\n");
        }
    }

    internal static string FormatJson(MachineTopology topology, CgroupSituation cgroups)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("online", topology.OnlineCpus.ToString());
            json.WriteString("offline", topology.OfflineCpus.ToString());
            json.WriteString("isolated", topology.IsolatedCpus.ToString());
            json.WriteBoolean("hasNumaInformation", topology.HasNumaInformation);

            json.WriteStartArray("cpus");
            for (int i = 0; i < topology.Cpus.Length; i++)
            {
                CpuInfo cpu = topology.Cpus[i];
                CpuHardwareIds ids = topology.CpuHardware[i];
                json.WriteStartObject();
                json.WriteNumber("cpu", cpu.Cpu);
                json.WriteNumber("coreId", cpu.CoreId);
                json.WriteNumber("socketId", cpu.SocketId);
                json.WriteNumber("numaNodeId", cpu.NumaNodeId);
                json.WriteNumber("uncoreCacheId", cpu.UncoreCacheId);
                json.WriteNumber("physicalCoreId", ids.PhysicalCoreId);
                json.WriteNumber("dieId", ids.DieId);
                json.WriteNumber("clusterId", ids.ClusterId);
                json.WriteEndObject();
            }
            json.WriteEndArray();

            json.WriteStartArray("sockets");
            foreach (SocketInfo socket in topology.Sockets)
            {
                json.WriteStartObject();
                json.WriteNumber("id", socket.Id);
                json.WriteString("cpus", socket.Cpus.ToString());
                WriteNumbers(json, "numaNodes", socket.NumaNodeIds);
                WriteNumbers(json, "cores", socket.CoreIds);
                json.WriteEndObject();
            }
            json.WriteEndArray();

            json.WriteStartArray("numaNodes");
            foreach (NumaNodeInfo node in topology.NumaNodes)
            {
                json.WriteStartObject();
                json.WriteNumber("id", node.Id);
                json.WriteString("cpus", node.Cpus.ToString());
                WriteNumbers(json, "sockets", node.SocketIds);
                json.WriteNumber("memoryTotalBytes", node.MemoryTotalBytes);
                json.WriteNumber("memoryFreeBytes", node.MemoryFreeBytes);
                json.WriteStartArray("hugePages");
                foreach (HugePagePool pool in node.HugePages)
                {
                    json.WriteStartObject();
                    json.WriteString("resourceName", pool.ResourceName);
                    json.WriteNumber("pageSizeKiB", pool.PageSizeKiB);
                    json.WriteNumber("total", pool.Total);
                    json.WriteNumber("free", pool.Free);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                WriteNumbers(json, "distances", node.Distances);
                json.WriteEndObject();
            }
            json.WriteEndArray();

            json.WriteStartArray("cores");
            foreach (CoreInfo core in topology.Cores)
            {
                json.WriteStartObject();
                json.WriteNumber("id", core.Id);
                json.WriteNumber("physicalCoreId", core.PhysicalCoreId);
                json.WriteNumber("socketId", core.SocketId);
                json.WriteNumber("numaNodeId", core.NumaNodeId);
                json.WriteNumber("uncoreCacheId", core.UncoreCacheId);
                json.WriteString("threads", core.Threads.ToString());
                json.WriteEndObject();
            }
            json.WriteEndArray();

            json.WriteStartArray("uncoreCaches");
            foreach (UncoreCacheInfo group in topology.UncoreCaches)
            {
                json.WriteStartObject();
                json.WriteNumber("id", group.Id);
                json.WriteString("cpus", group.Cpus.ToString());
                json.WriteNumber("level", group.Level);
                json.WriteNumber("sizeBytes", group.SizeBytes);
                json.WriteBoolean("socketFallback", group.IsSocketFallback);
                json.WriteEndObject();
            }
            json.WriteEndArray();

            json.WriteStartArray("sharedCaches");
            foreach (SharedCacheInfo cache in topology.SharedCaches)
            {
                json.WriteStartObject();
                json.WriteNumber("level", cache.Level);
                json.WriteString("type", cache.Type);
                json.WriteNumber("id", cache.Id);
                json.WriteNumber("sizeBytes", cache.SizeBytes);
                json.WriteString("cpus", cache.Cpus.ToString());
                json.WriteEndObject();
            }
            json.WriteEndArray();

            WriteCgroups(json, cgroups);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteCgroups(Utf8JsonWriter json, CgroupSituation cgroups)
    {
        json.WriteStartObject("cgroups");
        json.WriteString("mode", cgroups.Mode switch
        {
            CgroupMode.Unified => "unified",
            CgroupMode.Hybrid => "hybrid",
            CgroupMode.Legacy => "legacy",
            CgroupMode.None => "none",
            _ => "unknown",
        });
        if (cgroups.UnifiedMountPoint is null)
        {
            json.WriteNull("unifiedMountPoint");
        }
        else
        {
            json.WriteString("unifiedMountPoint", cgroups.UnifiedMountPoint);
        }
        json.WriteStartArray("unifiedControllers");
        foreach (string controller in cgroups.UnifiedControllers)
        {
            json.WriteStringValue(controller);
        }
        json.WriteEndArray();
        json.WriteStartArray("v1Hierarchies");
        foreach (CgroupV1Hierarchy hierarchy in cgroups.V1Hierarchies)
        {
            json.WriteStartObject();
            json.WriteString("mountPoint", hierarchy.MountPoint);
            json.WriteStartArray("controllers");
            foreach (string controller in hierarchy.Controllers)
            {
                json.WriteStringValue(controller);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        if (cgroups.Problem is null)
        {
            json.WriteNull("problem");
        }
        else
        {
            json.WriteString("problem", cgroups.Problem);
        }
        json.WriteEndObject();
    }

    private static void WriteNumbers(Utf8JsonWriter json, string name, ReadOnlySpan<int> values)
    {
        json.WriteStartArray(name);
        foreach (int value in values)
        {
            json.WriteNumberValue(value);
        }
        json.WriteEndArray();
    }

    private static string List(in CpuSet cpus) => cpus.IsEmpty ? "none" : cpus.ToString();

    private static string Plural(int count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? "" : "s")}");

    /// <summary>Binary units with one decimal, e.g. 4.0 GiB; exact bytes below 1 KiB.</summary>
    internal static string Bytes(long bytes)
    {
        ReadOnlySpan<string> units = ["KiB", "MiB", "GiB", "TiB", "PiB"];
        if (bytes < 1024)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{bytes} B");
        }
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]}");
    }
}
