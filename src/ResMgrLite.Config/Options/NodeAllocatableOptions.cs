namespace ResMgrLite.Config.Options;

/// <summary>
/// The node-allocatable reservations the CPU manager (docs/kubelet-rules.md §3.1: reserved CPU count) and the memory
/// manager (§4.1: reservedMemory must add up to them) are checked against.
/// </summary>
internal sealed class NodeAllocatableOptions
{
    /// <summary>kubelet <c>systemReserved</c>: resource name → quantity.</summary>
    public Dictionary<string, string> SystemReserved { get; set; } = new(StringComparer.Ordinal);

    /// <summary>kubelet <c>kubeReserved</c>: resource name → quantity.</summary>
    public Dictionary<string, string> KubeReserved { get; set; } = new(StringComparer.Ordinal);

    /// <summary>kubelet <c>evictionHard</c>: signal → quantity or percentage; kubelet default <c>memory.available: 100Mi</c>.</summary>
    public Dictionary<string, string> EvictionHard { get; set; } = new(StringComparer.Ordinal) { ["memory.available"] = "100Mi" };
}
