using System.Buffers;
using System.Globalization;
using System.Text.Json;
using ResMgrLite.Engine;
using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.State;

namespace ResMgrLite.Host.State;

/// <summary>
/// The state file's bytes (docs/state.md). One JSON object on one line:
/// <code>
/// {"format":1,"checksum":"fnv1a64:&lt;16 hex digits&gt;","payload":{...}}
///                                   └── FNV-1a-64 over the payload's bytes exactly as stored
/// </code>
/// The version comes first so a newer file is reported as such before anything else is judged.
/// Hand-written with Utf8JsonWriter/JsonDocument: no reflection (Native AOT).
/// </summary>
public static class CheckpointFormat
{
    /// <summary>The newest format this binary writes and reads.</summary>
    public const int Version = 2;

    private const string ChecksumPrefix = "fnv1a64:";

    /// <summary>Serializes <paramref name="snapshot"/> into <paramref name="output"/> (cleared first).</summary>
    public static void Write(EngineSnapshot snapshot, ArrayBufferWriter<byte> output, ArrayBufferWriter<byte> scratch)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(scratch);
        scratch.ResetWrittenCount();
        using (var payload = new Utf8JsonWriter(scratch))
        {
            WritePayload(payload, snapshot);
        }
        ReadOnlySpan<byte> payloadBytes = scratch.WrittenSpan;
        output.ResetWrittenCount();
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        writer.WriteNumber("format", Version);
        writer.WriteString("checksum", ChecksumPrefix + Fnv1a64.Hash(payloadBytes).ToString("x16", CultureInfo.InvariantCulture));
        writer.WritePropertyName("payload");
        writer.WriteRawValue(payloadBytes, skipInputValidation: true);
        writer.WriteEndObject();
        writer.Flush();
    }

    private static void WritePayload(Utf8JsonWriter w, EngineSnapshot s)
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
            w.WriteString("kind", KindName(c.Kind));
            w.WriteBoolean("eligible", c.Eligible);
            w.WriteString("role", RoleName(c.Role));
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
        if (s.Memory is { } memory)
        {
            WriteMemory(w, memory);
        }
        if (s.MemoryQos is { } memoryQos)
        {
            w.WriteStartObject("memoryQos");
            w.WriteStartArray("pods");
            foreach (PodMemoryQosSnapshot p in memoryQos.Pods)
            {
                w.WriteStartObject();
                w.WriteString("podUid", p.PodUid);
                w.WriteString("qos", QosName(p.Qos));
                w.WriteNumber("requestBytes", p.RequestBytes);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
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
            w.WriteString("role", RoleName(c.Role));
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
        w.WriteEndObject();
    }

    private static void WriteAmounts(Utf8JsonWriter w, string name, in MemoryAmounts amounts)
    {
        // Bytes per resource, in the kubelet's resource names (§4.3).
        w.WriteStartObject(name);
        w.WriteNumber("memory", amounts.Memory);
        w.WriteNumber("hugepages-2Mi", amounts.Hugepages2Mi);
        w.WriteNumber("hugepages-1Gi", amounts.Hugepages1Gi);
        w.WriteEndObject();
    }

    private static MemorySnapshot ReadMemory(JsonElement memory)
    {
        var containers = new List<ContainerMemorySnapshot>();
        int index = 0;
        foreach (JsonElement c in ArrayOf(memory, "containers", "memory"))
        {
            string at = $"memory.containers[{index++}]";
            int kind = Property(c, "kind", at).GetInt32();
            if (kind is < 0 or > (int)MemoryAssignmentKind.PodShared)
            {
                throw new FormatException($"{at}.kind: {kind} is not a memory assignment kind");
            }
            containers.Add(new ContainerMemorySnapshot(
                Text(c, "podUid", at), Text(c, "name", at), Text(c, "id", at), (MemoryAssignmentKind)kind,
                ParseRole(Text(c, "role", at), at), Property(c, "numaMask", at).GetUInt64(), Amounts(c, "blocks", at), Property(c, "resources", at).GetInt32()));
        }
        var pods = new List<PodMemorySnapshot>();
        index = 0;
        foreach (JsonElement p in ArrayOf(memory, "pods", "memory"))
        {
            string at = $"memory.pods[{index++}]";
            pods.Add(new PodMemorySnapshot(Text(p, "podUid", at), Property(p, "numaMask", at).GetUInt64(),
                Amounts(p, "totals", at), Amounts(p, "sidecar", at), Amounts(p, "appExclusive", at), Property(p, "containers", at).GetInt32()));
        }
        return new MemorySnapshot { Containers = containers, Pods = pods };
    }

    private static MemoryQosSnapshot ReadMemoryQos(JsonElement memoryQos)
    {
        var pods = new List<PodMemoryQosSnapshot>();
        int index = 0;
        foreach (JsonElement p in ArrayOf(memoryQos, "pods", "memoryQos"))
        {
            string at = $"memoryQos.pods[{index++}]";
            string qos = Text(p, "qos", at);
            pods.Add(new PodMemoryQosSnapshot(Text(p, "podUid", at), qos switch
            {
                "guaranteed" => QosClass.Guaranteed,
                "burstable" => QosClass.Burstable,
                "besteffort" => QosClass.BestEffort,
                _ => throw new FormatException($"{at}.qos: \"{qos}\" is not one of guaranteed, burstable, besteffort"),
            }, Property(p, "requestBytes", at).GetInt64()));
        }
        return new MemoryQosSnapshot { Pods = pods };
    }

    private static string QosName(QosClass qos) => qos switch
    {
        QosClass.Guaranteed => "guaranteed",
        QosClass.Burstable => "burstable",
        _ => "besteffort",
    };

    private static MemoryAmounts Amounts(JsonElement e, string name, string at)
    {
        JsonElement value = Property(e, name, at);
        string where = $"{at}.{name}";
        return new MemoryAmounts(Property(value, "memory", where).GetInt64(), Property(value, "hugepages-2Mi", where).GetInt64(), Property(value, "hugepages-1Gi", where).GetInt64());
    }

    /// <summary>Reads a state file's bytes; every problem is reported as "&lt;path&gt;: &lt;what&gt;".</summary>
    public static CheckpointLoadResult Read(string path, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return Invalid(path, "empty file (a write was cut short before this binary made writes atomic, or the disk lost it)");
        }
        int? format = null;
        string? checksum = null;
        int payloadStart = -1, payloadEnd = -1;
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Invalid(path, "not a JSON object");
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                reader.Read();
                switch (name)
                {
                    case "format" when reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int f):
                        format = f;
                        if (f > Version)
                        {
                            return Invalid(path, $"format version {f} is newer than this binary understands ({Version})");
                        }
                        if (f < 1)
                        {
                            return Invalid(path, $"format version {f} is not a valid version (this binary understands {Version})");
                        }
                        break;
                    case "checksum" when reader.TokenType == JsonTokenType.String:
                        checksum = reader.GetString();
                        break;
                    case "payload" when reader.TokenType == JsonTokenType.StartObject:
                        payloadStart = (int)reader.TokenStartIndex;
                        reader.Skip();
                        payloadEnd = (int)reader.BytesConsumed;
                        break;
                    default:
                        return Invalid(path, $"unexpected or mistyped field \"{name}\" at byte {reader.TokenStartIndex}");
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject)
            {
                return Invalid(path, $"not valid JSON at byte {reader.BytesConsumed}");
            }
            for (int i = (int)reader.BytesConsumed; i < bytes.Length; i++)
            {
                if (bytes[i] is not ((byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
                {
                    return Invalid(path, $"not valid JSON at byte {i}: data after the end of the object");
                }
            }
        }
        catch (JsonException e)
        {
            // One line: the position in the line is the byte offset.
            long at = e.LineNumber == 0 ? e.BytePositionInLine ?? reader.BytesConsumed : reader.BytesConsumed;
            return Invalid(path, $"not valid JSON at byte {at} (truncated or damaged file)");
        }

        if (format is null)
        {
            return Invalid(path, "no format version");
        }
        if (checksum is null || payloadStart < 0)
        {
            return Invalid(path, checksum is null ? "no checksum" : "no payload");
        }
        ReadOnlySpan<byte> payload = bytes[payloadStart..payloadEnd];
        string computed = ChecksumPrefix + Fnv1a64.Hash(payload).ToString("x16", CultureInfo.InvariantCulture);
        if (!string.Equals(checksum, computed, StringComparison.Ordinal))
        {
            return Invalid(path, $"checksum mismatch (stored {checksum}, computed {computed})");
        }
        try
        {
            using JsonDocument document = JsonDocument.Parse(payload.ToArray());
            return new CheckpointLoadResult(CheckpointStatus.Loaded, ReadPayload(document.RootElement), null);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or KeyNotFoundException or JsonException)
        {
            return Invalid(path, $"payload: {e.Message}");
        }
    }

    private static CheckpointLoadResult Invalid(string path, string problem) => new(CheckpointStatus.Invalid, null, $"{path}: {problem}");

    private static EngineSnapshot ReadPayload(JsonElement root)
    {
        var containers = new List<ContainerCpuSnapshot>();
        int index = 0;
        foreach (JsonElement c in Array(root, "containers"))
        {
            string at = $"containers[{index++}]";
            containers.Add(new ContainerCpuSnapshot(
                Text(c, "podUid", at), Text(c, "name", at), Text(c, "id", at),
                ParseKind(Text(c, "kind", at), at), Bool(c, "eligible", at), ParseRole(Text(c, "role", at), at),
                Cpus(c, "cpus", at)));
        }
        var pods = new List<PodCpuSnapshot>();
        index = 0;
        foreach (JsonElement p in Array(root, "pods"))
        {
            string at = $"pods[{index++}]";
            pods.Add(new PodCpuSnapshot(Text(p, "podUid", at), Cpus(p, "budget", at), Cpus(p, "sidecarCpus", at), Cpus(p, "sharedPool", at), Property(p, "containers", at).GetInt32()));
        }
        var hints = new List<PodHintSnapshot>();
        index = 0;
        foreach (JsonElement h in Array(root, "podHints"))
        {
            string at = $"podHints[{index++}]";
            hints.Add(new PodHintSnapshot(Text(h, "podUid", at), Property(h, "numaMask", at).GetUInt64(), Bool(h, "preferred", at)));
        }
        return new EngineSnapshot
        {
            CpuPolicy = Text(root, "cpuPolicy", "payload"),
            ReservedCpus = Cpus(root, "reservedCpus", "payload"),
            DefaultCpus = Cpus(root, "defaultCpus", "payload"),
            Containers = containers,
            Pods = pods,
            PodHints = hints,
            Memory = root.TryGetProperty("memory", out JsonElement memory) ? ReadMemory(memory) : null,
            MemoryQos = root.TryGetProperty("memoryQos", out JsonElement memoryQos) ? ReadMemoryQos(memoryQos) : null,
        };
    }

    private static JsonElement Property(JsonElement e, string name, string at) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out JsonElement value)
            ? value
            : throw new FormatException($"{at}: missing \"{name}\"");

    private static JsonElement.ArrayEnumerator Array(JsonElement root, string name) => ArrayOf(root, name, "payload");

    private static JsonElement.ArrayEnumerator ArrayOf(JsonElement root, string name, string at)
    {
        JsonElement value = Property(root, name, at);
        return value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : throw new FormatException($"\"{name}\" is not an array");
    }

    private static string Text(JsonElement e, string name, string at)
    {
        JsonElement value = Property(e, name, at);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new FormatException($"{at}.{name}: not a string");
    }

    private static bool Bool(JsonElement e, string name, string at)
    {
        JsonElement value = Property(e, name, at);
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new FormatException($"{at}.{name}: not a boolean"),
        };
    }

    private static CpuSet Cpus(JsonElement e, string name, string at)
    {
        string text = Text(e, name, at);
        return CpuSet.TryParse(text, out CpuSet set, out CpuListError error)
            ? set
            : throw new FormatException($"{at}.{name}: \"{text}\" is not a CPU list ({error})");
    }

    private static string KindName(CpuAssignmentKind kind) => kind switch
    {
        CpuAssignmentKind.NodeShared => "nodeShared",
        CpuAssignmentKind.Exclusive => "exclusive",
        CpuAssignmentKind.PodInitPool => "podInitPool",
        CpuAssignmentKind.PodShared => "podShared",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static CpuAssignmentKind ParseKind(string text, string at) => text switch
    {
        "nodeShared" => CpuAssignmentKind.NodeShared,
        "exclusive" => CpuAssignmentKind.Exclusive,
        "podInitPool" => CpuAssignmentKind.PodInitPool,
        "podShared" => CpuAssignmentKind.PodShared,
        _ => throw new FormatException($"{at}.kind: \"{text}\" is not one of nodeShared, exclusive, podInitPool, podShared"),
    };

    private static string RoleName(ContainerRole role) => role switch
    {
        ContainerRole.App => "app",
        ContainerRole.Init => "init",
        ContainerRole.Sidecar => "sidecar",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    private static ContainerRole ParseRole(string text, string at) => text switch
    {
        "app" => ContainerRole.App,
        "init" => ContainerRole.Init,
        "sidecar" => ContainerRole.Sidecar,
        _ => throw new FormatException($"{at}.role: \"{text}\" is not one of app, init, sidecar"),
    };
}
