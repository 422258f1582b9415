using System.Text.Json;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.Resize;
using ResMgrLite.Engine.State;

namespace ResMgrLite.Host.State;

/// <summary>
/// Writes the state file's payload (docs/state.md, "Format") field by field. The bytes are the ones
/// earlier binaries wrote through System.Text.Json's serializer: fields in the order of the format's
/// table, optional objects left out when absent, strings escaped by the writer's default encoder. So a
/// state that did not change is written byte for byte as before, checksum included
/// (<c>StateFixtures</c> tests hold files of each format).
/// </summary>
internal static class CheckpointPayloadWriter
{
    public static void Write(Utf8JsonWriter w, EngineSnapshot s)
    {
        w.WriteStartObject();
        w.WriteString("cpuPolicy", s.CpuPolicy);
        w.WriteString("reservedCpus", s.ReservedCpus.ToString());
        w.WriteString("defaultCpus", s.DefaultCpus.ToString());
        w.WriteStartArray("containers");
        foreach (ContainerCpuSnapshot c in s.Containers)
        {
            w.WriteStartObject();
            w.WriteString("podUid", c.PodUid);
            w.WriteString("name", c.ContainerName);
            w.WriteString("id", c.ContainerId);
            w.WriteString("kind", CheckpointNames.Kind(c.Kind));
            w.WriteBoolean("eligible", c.Eligible);
            w.WriteString("role", CheckpointNames.Role(c.Role));
            w.WriteString("cpus", c.Cpus.ToString());
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("pods");
        foreach (PodCpuSnapshot p in s.Pods)
        {
            w.WriteStartObject();
            w.WriteString("podUid", p.PodUid);
            w.WriteString("budget", p.Bubble.ToString());
            w.WriteString("sidecarCpus", p.SidecarCpus.ToString());
            w.WriteString("sharedPool", p.SharedPool.ToString());
            w.WriteNumber("containers", p.Containers);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("podHints");
        foreach (PodHintSnapshot h in s.PodHints)
        {
            w.WriteStartObject();
            w.WriteString("podUid", h.PodUid);
            w.WriteNumber("numaMask", h.NumaMask);
            w.WriteBoolean("preferred", h.Preferred);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (s.CpuReuse is { } reuse)
        {
            w.WriteStartObject("cpuReuse");
            w.WriteString("podUid", reuse.PodUid);
            w.WriteString("cpus", reuse.Cpus.ToString());
            w.WriteEndObject();
        }
        if (s.Memory is { } memory)
        {
            WriteMemory(w, memory);
        }
        if (s.MemoryQos is { } qos)
        {
            w.WriteStartObject("memoryQos");
            w.WriteStartArray("pods");
            foreach (PodMemoryQosSnapshot p in qos.Pods)
            {
                w.WriteStartObject();
                w.WriteString("podUid", p.PodUid);
                w.WriteString("qos", CheckpointNames.Qos(p.Qos));
                w.WriteNumber("requestBytes", p.RequestBytes);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        if (s.Resizes.Count > 0)
        {
            w.WriteStartArray("resizes");
            foreach (PodResizeSnapshot r in s.Resizes)
            {
                w.WriteStartObject();
                w.WriteString("podUid", r.PodUid);
                WriteBudget(w, "desired", r.Desired);
                WriteBudget(w, "inForce", r.InForce);
                w.WriteString("outcome", ResizeOutcomes.Name(r.Outcome));
                w.WriteString("reason", r.Reason);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    private static void WriteMemory(Utf8JsonWriter w, MemorySnapshot memory)
    {
        w.WriteStartObject("memory");
        w.WriteStartArray("containers");
        foreach (ContainerMemorySnapshot c in memory.Containers)
        {
            w.WriteStartObject();
            w.WriteString("podUid", c.PodUid);
            w.WriteString("name", c.ContainerName);
            w.WriteString("id", c.ContainerId);
            w.WriteNumber("kind", (int)c.Kind);
            w.WriteString("role", CheckpointNames.Role(c.Role));
            w.WriteNumber("numaMask", c.NumaMask);
            WriteAmounts(w, "blocks", c.Blocks);
            w.WriteNumber("resources", c.Resources);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("pods");
        foreach (PodMemorySnapshot p in memory.Pods)
        {
            w.WriteStartObject();
            w.WriteString("podUid", p.PodUid);
            w.WriteNumber("numaMask", p.NumaMask);
            WriteAmounts(w, "totals", p.Totals);
            WriteAmounts(w, "sidecar", p.SidecarMemory);
            WriteAmounts(w, "appExclusive", p.AppExclusive);
            w.WriteNumber("containers", p.Containers);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (memory.Reuse is { } reuse)
        {
            w.WriteStartObject("reuse");
            w.WriteString("podUid", reuse.PodUid);
            w.WriteStartArray("amounts");
            foreach (MemoryReuseAmount a in reuse.Amounts)
            {
                w.WriteStartObject();
                w.WriteNumber("numaMask", a.NumaMask);
                WriteAmounts(w, "amounts", a.Amounts);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    /// <summary>Bytes per resource, in the kubelet's resource names (docs/kubelet-rules.md §4.3).</summary>
    private static void WriteAmounts(Utf8JsonWriter w, string name, in MemoryAmounts amounts)
    {
        w.WriteStartObject(name);
        w.WriteNumber("memory", amounts.Memory);
        w.WriteNumber("hugepages-2Mi", amounts.Hugepages2Mi);
        w.WriteNumber("hugepages-1Gi", amounts.Hugepages1Gi);
        w.WriteEndObject();
    }

    /// <summary>A pod budget: CPU in millicores, memory in bytes, 0 = not set.</summary>
    private static void WriteBudget(Utf8JsonWriter w, string name, in ContainerResources budget)
    {
        w.WriteStartObject(name);
        w.WriteNumber("cpuRequestMilli", budget.CpuRequestMilli);
        w.WriteNumber("cpuLimitMilli", budget.CpuLimitMilli);
        w.WriteNumber("memoryRequestBytes", budget.MemoryRequestBytes);
        w.WriteNumber("memoryLimitBytes", budget.MemoryLimitBytes);
        w.WriteEndObject();
    }
}
