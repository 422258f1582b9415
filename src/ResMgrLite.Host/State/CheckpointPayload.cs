using System.Text.Json.Serialization;

namespace ResMgrLite.Host.State;

// The state file's payload as JSON (docs/state.md, "Format"): plain data, read and written by
// System.Text.Json's source generator (no reflection), mapped to and from the engine's snapshot by
// CheckpointMapping. CPU sets are Linux cpulists, amounts are bytes.

/// <summary>The payload: the CPU manager's pools and entries, pod budgets and hints, memory blocks, Memory QoS accounting.</summary>
internal sealed class CheckpointPayload
{
    public required string CpuPolicy { get; init; }

    public required string ReservedCpus { get; init; }

    public required string DefaultCpus { get; init; }

    public required List<CpuContainerJson> Containers { get; init; }

    public required List<CpuPodJson> Pods { get; init; }

    public required List<PodHintJson> PodHints { get; init; }

    /// <summary>Format 2: the init-container CPU reuse of the pod being admitted.</summary>
    public CpuReuseJson? CpuReuse { get; init; }

    public MemoryJson? Memory { get; init; }

    /// <summary>Format 2: the Memory QoS accounting.</summary>
    public MemoryQosJson? MemoryQos { get; init; }

    /// <summary>Optional (absent in files written before in-place resize): each pod's last resize; only written when there is one.</summary>
    public List<PodResizeJson>? Resizes { get; init; }
}

/// <summary>One pod's last in-place resize: the budget asked for, the one in force, the outcome and why.</summary>
internal sealed class PodResizeJson
{
    public required string PodUid { get; init; }

    public required BudgetJson Desired { get; init; }

    public required BudgetJson InForce { get; init; }

    /// <summary>unchanged, applied, deferred, infeasible.</summary>
    public required string Outcome { get; init; }

    public string Reason { get; init; } = "";
}

/// <summary>A pod budget: CPU in millicores, memory in bytes, 0 = not set.</summary>
internal sealed class BudgetJson
{
    public required long CpuRequestMilli { get; init; }

    public required long CpuLimitMilli { get; init; }

    public required long MemoryRequestBytes { get; init; }

    public required long MemoryLimitBytes { get; init; }
}

internal sealed class CpuContainerJson
{
    public required string PodUid { get; init; }

    public required string Name { get; init; }

    public required string Id { get; init; }

    /// <summary>nodeShared, exclusive, podInitPool, podShared.</summary>
    public required string Kind { get; init; }

    public required bool Eligible { get; init; }

    /// <summary>app, init, sidecar.</summary>
    public required string Role { get; init; }

    public required string Cpus { get; init; }
}

internal sealed class CpuPodJson
{
    public required string PodUid { get; init; }

    public required string Budget { get; init; }

    public required string SidecarCpus { get; init; }

    public required string SharedPool { get; init; }

    public required int Containers { get; init; }
}

internal sealed class PodHintJson
{
    public required string PodUid { get; init; }

    public required ulong NumaMask { get; init; }

    public required bool Preferred { get; init; }
}

internal sealed class CpuReuseJson
{
    public required string PodUid { get; init; }

    public required string Cpus { get; init; }
}

internal sealed class MemoryJson
{
    public required List<MemoryContainerJson> Containers { get; init; }

    public required List<MemoryPodJson> Pods { get; init; }

    /// <summary>Format 2: the init-container memory reuse of the pod being admitted.</summary>
    public MemoryReuseJson? Reuse { get; init; }
}

/// <summary>Bytes per resource, in the kubelet's resource names (docs/kubelet-rules.md §4.3).</summary>
internal sealed class AmountsJson
{
    public required long Memory { get; init; }

    [JsonPropertyName("hugepages-2Mi")]
    public required long Hugepages2Mi { get; init; }

    [JsonPropertyName("hugepages-1Gi")]
    public required long Hugepages1Gi { get; init; }
}

internal sealed class MemoryContainerJson
{
    public required string PodUid { get; init; }

    public required string Name { get; init; }

    public required string Id { get; init; }

    /// <summary>0 none, 1 exclusive, 2 pod init pool, 3 pod shared.</summary>
    public required int Kind { get; init; }

    public required string Role { get; init; }

    public required ulong NumaMask { get; init; }

    public required AmountsJson Blocks { get; init; }

    /// <summary>Bit 0 memory, bit 1 hugepages-2Mi, bit 2 hugepages-1Gi.</summary>
    public required int Resources { get; init; }
}

internal sealed class MemoryPodJson
{
    public required string PodUid { get; init; }

    public required ulong NumaMask { get; init; }

    public required AmountsJson Totals { get; init; }

    public required AmountsJson Sidecar { get; init; }

    public required AmountsJson AppExclusive { get; init; }

    public required int Containers { get; init; }
}

internal sealed class MemoryReuseJson
{
    public required string PodUid { get; init; }

    public required List<MemoryReuseAmountJson> Amounts { get; init; }
}

internal sealed class MemoryReuseAmountJson
{
    public required ulong NumaMask { get; init; }

    public required AmountsJson Amounts { get; init; }
}

internal sealed class MemoryQosJson
{
    public required List<MemoryQosPodJson> Pods { get; init; }
}

internal sealed class MemoryQosPodJson
{
    public required string PodUid { get; init; }

    /// <summary>guaranteed, burstable, besteffort.</summary>
    public required string Qos { get; init; }

    public required long RequestBytes { get; init; }
}

/// <summary>Source-generated (reflection-free, AOT-safe) serialization of <see cref="CheckpointPayload"/>.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(CheckpointPayload))]
internal sealed partial class CheckpointJsonContext : JsonSerializerContext;
