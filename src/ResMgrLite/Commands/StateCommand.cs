using System.Globalization;
using System.Text;
using System.Text.Json;
using ResMgrLite.Engine;
using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.PodLevel;
using ResMgrLite.Engine.State;
using ResMgrLite.Host.State;
using ResMgrLite.Observability.Inspection;

namespace ResMgrLite.Commands;

/// <summary>
/// <c>resmgrlite state [--config FILE] [--state-dir DIR] [--json]</c>: what the plugin holds, from
/// its state file, read once and never written (safe next to a running plugin): per container its
/// CPUs, NUMA nodes, memory blocks and isolation level; the node shared pool and each pod's budget
/// and shared pool; the reserved CPUs; whether resource management is on and, if not, why and
/// what to do. Exit 0 when the state is usable (or there is none yet), 1 when the plugin would stay
/// off with it, 2 when the command itself cannot run.
/// </summary>
internal static class StateCommand
{
    public static int Run(NodeInspection inspection, bool json, TextWriter stdout)
    {
        ArgumentNullException.ThrowIfNull(inspection);
        ArgumentNullException.ThrowIfNull(stdout);
        IReadOnlyList<ContainerRow> rows = inspection.State.Snapshot is { } snapshot ? Rows(snapshot, inspection) : [];
        if (json)
        {
            stdout.WriteLine(Json(inspection, rows));
        }
        else
        {
            Text(inspection, rows, stdout);
        }
        return inspection.WouldBeActive ? 0 : 1;
    }

    /// <summary>One container's holdings as the user asks for them.</summary>
    internal sealed class ContainerRow(
        string podUid, string container, string containerId, string role, string isolation, string cpuKind,
        CpuSet cpus, string numaNodes, MemoryAmounts memoryBlocks, string memoryNodes)
    {
        public string PodUid { get; } = podUid;

        public string Container { get; } = container;

        public string ContainerId { get; } = containerId;

        public string Role { get; } = role;

        public string Isolation { get; } = isolation;

        public string CpuKind { get; } = cpuKind;

        public CpuSet Cpus { get; } = cpus;

        public string NumaNodes { get; } = numaNodes;

        public MemoryAmounts MemoryBlocks { get; } = memoryBlocks;

        public string MemoryNodes { get; } = memoryNodes;
    }

    /// <summary>Rows in pod UID, container name order; containers with pinned memory but unmanaged CPUs last.</summary>
    internal static IReadOnlyList<ContainerRow> Rows(EngineSnapshot snapshot, NodeInspection inspection)
    {
        IReadOnlyList<ContainerMemorySnapshot> memoryEntries = snapshot.Memory?.Containers ?? [];
        var memory = new Dictionary<string, ContainerMemorySnapshot>(memoryEntries.Count, StringComparer.Ordinal);
        foreach (ContainerMemorySnapshot m in memoryEntries)
        {
            memory[Key(m.PodUid, m.ContainerName)] = m;
        }
        var containers = new List<ContainerCpuSnapshot>(snapshot.Containers);
        containers.Sort(static (x, y) =>
        {
            int byPod = string.CompareOrdinal(x.PodUid, y.PodUid);
            return byPod != 0 ? byPod : string.CompareOrdinal(x.ContainerName, y.ContainerName);
        });
        var rows = new List<ContainerRow>(containers.Count);
        foreach (ContainerCpuSnapshot c in containers)
        {
            CpuSet cpus = c.RunsOn(snapshot);
            memory.Remove(Key(c.PodUid, c.ContainerName), out ContainerMemorySnapshot? blocks);
            rows.Add(new ContainerRow(c.PodUid, c.ContainerName, c.ContainerId, RoleName(c.Role), Isolation(c.IsolationLevel()), c.AssignmentName(),
                cpus, NumaOf(cpus, inspection), blocks?.Blocks ?? default, blocks is null ? "" : NodeList(blocks.NumaMask)));
        }
        foreach (ContainerMemorySnapshot m in memoryEntries)
        {
            if (memory.ContainsKey(Key(m.PodUid, m.ContainerName)))
            {
                // Memory pinned, CPUs not managed by the CPU manager (policy none): the node's CPUs.
                rows.Add(new ContainerRow(m.PodUid, m.ContainerName, m.ContainerId, RoleName(m.Role), "host", "unmanaged",
                    default, "", m.Blocks, NodeList(m.NumaMask)));
            }
        }
        return rows;
    }

    /// <summary>A pod UID and container name as one dictionary key (NUL never occurs in either).</summary>
    private static string Key(string podUid, string container) => string.Concat(podUid, "\0", container);

    private static PodMemorySnapshot? PodMemory(EngineSnapshot snapshot, string podUid)
    {
        foreach (PodMemorySnapshot pod in snapshot.Memory?.Pods ?? [])
        {
            if (pod.PodUid == podUid)
            {
                return pod;
            }
        }
        return null;
    }

    /// <summary>The KEP-5526 isolation level (docs/kubelet-rules.md §5.7): exclusive CPUs are <c>container</c>, a pod budget's pools <c>pod</c>, the node pool <c>host</c>.</summary>
    private static string Isolation(ResourceIsolationLevel level) => level switch
    {
        ResourceIsolationLevel.Container => "container",
        ResourceIsolationLevel.Host => "host",
        _ => "pod",
    };

    private static string RoleName(Engine.Model.ContainerRole role) => role switch
    {
        Engine.Model.ContainerRole.Init => "init",
        Engine.Model.ContainerRole.Sidecar => "sidecar",
        _ => "app",
    };

    private static string NumaOf(CpuSet cpus, NodeInspection inspection)
    {
        if (inspection.Machine is null || cpus.IsEmpty)
        {
            return "";
        }
        CpuTopology topology = MachineModel.ToCpuTopology(inspection.Machine);
        return NodeList(topology.NumaMaskOf(cpus));
    }

    private static void Text(NodeInspection inspection, IReadOnlyList<ContainerRow> rows, TextWriter stdout)
    {
        stdout.WriteLine($"state file:          {inspection.Store.FilePath}{FileFacts(inspection)}");
        if (inspection.WouldBeActive)
        {
            stdout.WriteLine(inspection.State.Status == CheckpointStatus.Missing
                ? "resource management: ON (no state file: the plugin starts with an empty state)"
                : "resource management: ON (the state matches this machine and configuration)");
        }
        else
        {
            stdout.WriteLine($"resource management: OFF ({ReasonName(inspection)})");
            stdout.WriteLine($"  why:  {inspection.OffDetail}");
            stdout.WriteLine($"  what to do: {inspection.Advice}");
        }
        if (inspection.State.Snapshot is not { } snapshot)
        {
            if (inspection.State.Status == CheckpointStatus.Missing)
            {
                stdout.WriteLine("no state file: nothing is allocated yet (or the plugin uses another state.directory; see --config / --state-dir)");
            }
            return;
        }
        stdout.WriteLine($"CPU manager policy:  {snapshot.CpuPolicy}");
        stdout.WriteLine($"reserved CPUs:       {CpuList(snapshot.ReservedCpus)}");
        stdout.WriteLine($"node shared pool:    {CpuList(snapshot.DefaultCpus)}");
        if (snapshot.Pods.Count > 0)
        {
            stdout.WriteLine();
            stdout.WriteLine("pod budgets (KEP-5526):");
            var budgets = new List<string[]>(snapshot.Pods.Count);
            foreach (PodCpuSnapshot p in snapshot.Pods)
            {
                PodMemorySnapshot? memory = PodMemory(snapshot, p.PodUid);
                budgets.Add(
                [
                    p.PodUid, CpuList(p.Bubble), CpuList(p.SidecarCpus), CpuList(p.SharedPool), p.Containers.ToString(CultureInfo.InvariantCulture),
                    memory is null ? "-" : NodeList(memory.NumaMask), memory is null ? "-" : Amounts(memory.Totals),
                ]);
            }
            Table(stdout, ["POD UID", "BUDGET", "SIDECAR CPUS", "POD SHARED POOL", "CONTAINERS", "MEMORY NUMA", "MEMORY"], budgets);
        }
        stdout.WriteLine();
        stdout.WriteLine(rows.Count == 0 ? "containers: none with an entry" : "containers:");
        if (rows.Count > 0)
        {
            var lines = new List<string[]>(rows.Count);
            foreach (ContainerRow r in rows)
            {
                lines.Add(
                [
                    r.PodUid, r.Container, r.Role, r.Isolation, r.Cpus.IsEmpty ? "-" : $"{r.Cpus} ({r.CpuKind})", Dash(r.NumaNodes), Dash(r.MemoryNodes), r.MemoryBlocks.IsZero ? "-" : Amounts(r.MemoryBlocks),
                ]);
            }
            Table(stdout, ["POD UID", "CONTAINER", "ROLE", "ISOLATION", "CPUS", "CPU NUMA", "MEMORY NUMA", "MEMORY BLOCKS"], lines);
        }
    }

    private static string FileFacts(NodeInspection inspection)
    {
        try
        {
            var info = new FileInfo(inspection.Store.FilePath);
            return info.Exists
                ? $" ({info.Length.ToString(CultureInfo.InvariantCulture)} bytes, written {info.LastWriteTimeUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC)"
                : " (not there)";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static string ReasonName(NodeInspection inspection) => inspection.OffReason switch
    {
        Plugin.PassiveReason.UntrustedState => "the state file cannot be trusted",
        Plugin.PassiveReason.InvalidConfiguration => "the configuration is invalid",
        Plugin.PassiveReason.MachineUnreadable => "the machine topology cannot be read",
        Plugin.PassiveReason.StartFailed => "the resource managers refuse this configuration",
        _ => "not started",
    };

    /// <summary>NUMA node ids, e.g. <c>0,1</c> (bit i of the mask is node i).</summary>
    internal static string NodeList(ulong mask)
    {
        var nodes = new List<string>();
        for (int node = 0; node < 64; node++)
        {
            if ((mask & (1UL << node)) != 0)
            {
                nodes.Add(node.ToString(CultureInfo.InvariantCulture));
            }
        }
        return string.Join(',', nodes);
    }

    private static string CpuList(CpuSet cpus) => cpus.IsEmpty ? "(none)" : $"{cpus} ({cpus.Count} CPUs)";

    private static string Dash(string text) => text.Length == 0 ? "-" : text;

    private static string Amounts(MemoryAmounts amounts)
    {
        var parts = new List<string>(3);
        if (amounts.Memory > 0)
        {
            parts.Add($"memory {Bytes(amounts.Memory)}");
        }
        if (amounts.Hugepages2Mi > 0)
        {
            parts.Add($"hugepages-2Mi {Bytes(amounts.Hugepages2Mi)}");
        }
        if (amounts.Hugepages1Gi > 0)
        {
            parts.Add($"hugepages-1Gi {Bytes(amounts.Hugepages1Gi)}");
        }
        return parts.Count == 0 ? "-" : string.Join(", ", parts);
    }

    private static string Bytes(long bytes) =>
        bytes % (1L << 30) == 0 ? $"{bytes >> 30}Gi" : bytes % (1L << 20) == 0 ? $"{bytes >> 20}Mi" : bytes.ToString(CultureInfo.InvariantCulture);

    private static void Table(TextWriter stdout, string[] header, List<string[]> body)
    {
        body.Insert(0, header);
        List<string[]> lines = body;
        int[] widths = new int[header.Length];
        foreach (string[] line in lines)
        {
            for (int i = 0; i < line.Length; i++)
            {
                widths[i] = Math.Max(widths[i], line[i].Length);
            }
        }
        foreach (string[] line in lines)
        {
            var text = new StringBuilder("  ");
            for (int i = 0; i < line.Length; i++)
            {
                text.Append(i == line.Length - 1 ? line[i] : line[i].PadRight(widths[i] + 2));
            }
            stdout.WriteLine(text.ToString().TrimEnd());
        }
    }

    private static string Json(NodeInspection inspection, IReadOnlyList<ContainerRow> rows)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("stateFile", inspection.Store.FilePath);
            json.WriteString("stateStatus", inspection.State.Status switch
            {
                CheckpointStatus.Loaded => "loaded",
                CheckpointStatus.Missing => "missing",
                _ => "untrusted",
            });
            json.WriteBoolean("resourceManagementActive", inspection.WouldBeActive);
            if (!inspection.WouldBeActive)
            {
                json.WriteString("reason", Plugin.ResourceManagementStatus.Label(inspection.OffReason));
                json.WriteString("detail", inspection.OffDetail);
                json.WriteString("advice", inspection.Advice);
            }
            if (inspection.State.Snapshot is { } snapshot)
            {
                json.WriteString("cpuPolicy", snapshot.CpuPolicy);
                json.WriteString("reservedCpus", snapshot.ReservedCpus.ToString());
                json.WriteString("sharedPool", snapshot.DefaultCpus.ToString());
                json.WriteStartArray("podBudgets");
                foreach (PodCpuSnapshot pod in snapshot.Pods)
                {
                    json.WriteStartObject();
                    json.WriteString("podUid", pod.PodUid);
                    json.WriteString("budget", pod.Bubble.ToString());
                    json.WriteString("sidecarCpus", pod.SidecarCpus.ToString());
                    json.WriteString("sharedPool", pod.SharedPool.ToString());
                    json.WriteNumber("containers", pod.Containers);
                    if (PodMemory(snapshot, pod.PodUid) is { } memory)
                    {
                        json.WriteString("memoryNumaNodes", NodeList(memory.NumaMask));
                        WriteAmounts(json, "memory", memory.Totals);
                    }
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteStartArray("containers");
            foreach (ContainerRow row in rows)
            {
                json.WriteStartObject();
                json.WriteString("podUid", row.PodUid);
                json.WriteString("container", row.Container);
                json.WriteString("containerId", row.ContainerId);
                json.WriteString("role", row.Role);
                json.WriteString("isolation", row.Isolation);
                json.WriteString("cpuAssignment", row.CpuKind);
                json.WriteString("cpus", row.Cpus.ToString());
                json.WriteString("cpuNumaNodes", row.NumaNodes);
                json.WriteString("memoryNumaNodes", row.MemoryNodes);
                WriteAmounts(json, "memoryBlocks", row.MemoryBlocks);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteAmounts(Utf8JsonWriter json, string name, MemoryAmounts amounts)
    {
        json.WriteStartObject(name);
        json.WriteNumber("memory", amounts.Memory);
        json.WriteNumber("hugepages-2Mi", amounts.Hugepages2Mi);
        json.WriteNumber("hugepages-1Gi", amounts.Hugepages1Gi);
        json.WriteEndObject();
    }
}
