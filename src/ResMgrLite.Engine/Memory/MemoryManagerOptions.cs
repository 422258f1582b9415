namespace ResMgrLite.Engine.Memory;

/// <summary>
/// Memory Manager <c>Static</c> policy settings (docs/kubelet-rules.md §4): the machine's memory
/// facts per NUMA node and the kubelet's <c>reservedMemory</c>, as validated by the configuration
/// (the §4.1 rules live in <c>Config/Validation/SettingsBuilder</c>).
/// </summary>
internal sealed record MemoryManagerOptions
{
    public required IReadOnlyList<NumaMemoryInfo> Nodes { get; init; }

    public IReadOnlyList<ReservedMemoryNode> ReservedMemory { get; init; } = [];

    /// <summary>The PodLevelResourceManagers feature gate (KEP-5526); PodLevelResources is taken as on.</summary>
    public bool PodLevelResourceManagers { get; init; } = true;
}
