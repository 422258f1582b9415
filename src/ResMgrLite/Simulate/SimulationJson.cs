using System.Buffers;
using System.Text;
using System.Text.Json;

namespace ResMgrLite.Simulate;

/// <summary>
/// <c>resmgrlite simulate --json</c>: the <see cref="SimulationReport"/> written with
/// <see cref="Utf8JsonWriter"/> alone (a serializer context for it cost hundreds of KB of image).
/// Indented by two spaces, camelCase names in declaration order, every field written (null where it
/// does not apply), strings escaped as System.Text.Json escapes them by default.
/// </summary>
internal static class SimulationJson
{
    public static string Format(SimulationReport report)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            WriteMachine(json, report.Machine);
            WriteManagers(json, report.Managers);
            json.WriteStartArray("pods");
            foreach (PodOutcome pod in report.Pods)
            {
                WritePod(json, pod);
            }
            json.WriteEndArray();
            json.WriteString("sharedPool", report.SharedPool);
            json.WriteString("reservedCpus", report.ReservedCpus);
            if (report.MemoryQos is { } qos)
            {
                json.WriteStartObject("memoryQos");
                json.WriteString("reservationPolicy", qos.ReservationPolicy);
                json.WriteNumber("kubepodsMemoryMin", qos.KubepodsMemoryMin);
                json.WriteNumber("burstableMemoryLow", qos.BurstableMemoryLow);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("memoryQos");
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteMachine(Utf8JsonWriter json, MachineSummary machine)
    {
        json.WriteStartObject("machine");
        json.WriteString("source", machine.Source);
        json.WriteNumber("sockets", machine.Sockets);
        json.WriteNumber("numaNodes", machine.NumaNodes);
        json.WriteNumber("cpus", machine.Cpus);
        json.WriteString("cgroups", machine.Cgroups);
        json.WriteEndObject();
    }

    private static void WriteManagers(Utf8JsonWriter json, ManagerSummary managers)
    {
        json.WriteStartObject("managers");
        json.WriteString("topologyManagerPolicy", managers.TopologyManagerPolicy);
        json.WriteString("topologyManagerScope", managers.TopologyManagerScope);
        json.WriteString("cpuManagerPolicy", managers.CpuManagerPolicy);
        json.WriteString("memoryManagerPolicy", managers.MemoryManagerPolicy);
        json.WriteString("memoryQos", managers.MemoryQos);
        json.WriteString("memoryQosOffReason", managers.MemoryQosOffReason);
        json.WriteBoolean("podLevelResourceManagers", managers.PodLevelResourceManagers);
        json.WriteEndObject();
    }

    private static void WritePod(Utf8JsonWriter json, PodOutcome pod)
    {
        json.WriteStartObject();
        json.WriteString("namespace", pod.Namespace);
        json.WriteString("name", pod.Name);
        json.WriteString("uid", pod.Uid);
        json.WriteString("qos", pod.Qos);
        json.WriteBoolean("managed", pod.Managed);
        json.WriteStartArray("notes");
        foreach (string note in pod.Notes)
        {
            json.WriteStringValue(note);
        }
        json.WriteEndArray();
        if (pod.Budget is { } budget)
        {
            json.WriteStartObject("budget");
            json.WriteString("cpus", budget.Cpus);
            json.WriteString("sharedPool", budget.SharedPool);
            json.WriteString("memoryNodes", budget.MemoryNodes);
            WriteNumberOrNull(json, "memoryBytes", budget.MemoryBytes);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("budget");
        }
        WriteMemoryQos(json, pod.MemoryQos);
        json.WriteStartArray("containers");
        foreach (ContainerOutcome container in pod.Containers)
        {
            WriteContainer(json, container);
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteContainer(Utf8JsonWriter json, ContainerOutcome container)
    {
        json.WriteStartObject();
        json.WriteString("name", container.Name);
        json.WriteString("role", container.Role);
        json.WriteString("outcome", container.Outcome);
        json.WriteString("refusal", container.Refusal);
        json.WriteString("cpus", container.Cpus);
        json.WriteString("isolation", container.Isolation);
        json.WriteBoolean("quotaLifted", container.QuotaLifted);
        json.WriteString("cpuNumaNodes", container.CpuNumaNodes);
        json.WriteString("mems", container.Mems);
        if (container.MemoryBlocks is { } blocks)
        {
            json.WriteStartObject("memoryBlocks");
            json.WriteString("kind", blocks.Kind);
            json.WriteString("nodes", blocks.Nodes);
            json.WriteNumber("memory", blocks.Memory);
            json.WriteNumber("hugepages2Mi", blocks.Hugepages2Mi);
            json.WriteNumber("hugepages1Gi", blocks.Hugepages1Gi);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("memoryBlocks");
        }
        WriteMemoryQos(json, container.MemoryQos);
        json.WriteEndObject();
    }

    private static void WriteMemoryQos(Utf8JsonWriter json, MemoryQosOutcome? qos)
    {
        if (qos is null)
        {
            json.WriteNull("memoryQos");
            return;
        }
        json.WriteStartObject("memoryQos");
        WriteNumberOrNull(json, "min", qos.Min);
        WriteNumberOrNull(json, "low", qos.Low);
        WriteNumberOrNull(json, "high", qos.High);
        WriteNumberOrNull(json, "max", qos.Max);
        json.WriteEndObject();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
