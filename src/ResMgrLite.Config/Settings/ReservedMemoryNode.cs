namespace ResMgrLite.Config.Settings;

/// <summary>One validated <c>reservedMemory</c> item: bytes per resource ("memory", "hugepages-2Mi", …) on a NUMA node.</summary>
public sealed record ReservedMemoryNode(int NumaNode, IReadOnlyDictionary<string, long> LimitsBytes)
{
    public bool Equals(ReservedMemoryNode? other) =>
        other is not null && NumaNode == other.NumaNode && LimitsBytes.Count == other.LimitsBytes.Count
        && LimitsBytes.All(pair => other.LimitsBytes.TryGetValue(pair.Key, out long value) && value == pair.Value);

    public override int GetHashCode() => HashCode.Combine(NumaNode, LimitsBytes.Count);

    public override string ToString() =>
        $"{{numaNode: {NumaNode}, limits: {{{string.Join(", ", LimitsBytes.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value}"))}}}}}";
}
