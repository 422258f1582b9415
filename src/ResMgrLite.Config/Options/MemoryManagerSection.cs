namespace ResMgrLite.Config.Options;

/// <summary>docs/kubelet-rules.md §4, §4.1.</summary>
internal sealed class MemoryManagerSection
{
    /// <summary>kubelet <c>memoryManagerPolicy</c>: <c>None</c> or <c>Static</c>.</summary>
    public string Policy { get; set; } = "None";

    /// <summary>kubelet <c>reservedMemory</c>.</summary>
    public List<ReservedMemorySection> ReservedMemory { get; set; } = [];
}

/// <summary>One kubelet <c>reservedMemory</c> item: <c>{numaNode, limits: {memory, hugepages-2Mi, …}}</c>.</summary>
internal sealed class ReservedMemorySection
{
    public int NumaNode { get; set; }

    public Dictionary<string, string> Limits { get; set; } = new(StringComparer.Ordinal);
}
