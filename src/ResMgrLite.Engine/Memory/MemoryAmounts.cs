namespace ResMgrLite.Engine.Memory;

/// <summary>Bytes per <see cref="MemoryResource"/>: a request, a budget, a block set or a reservation.</summary>
internal struct MemoryAmounts : IEquatable<MemoryAmounts>
{
    public long Memory;
    public long Hugepages2Mi;
    public long Hugepages1Gi;

    public MemoryAmounts(long memory, long hugepages2Mi = 0, long hugepages1Gi = 0)
    {
        Memory = memory;
        Hugepages2Mi = hugepages2Mi;
        Hugepages1Gi = hugepages1Gi;
    }

    public long this[MemoryResource resource]
    {
        readonly get => resource switch
        {
            MemoryResource.Memory => Memory,
            MemoryResource.Hugepages2Mi => Hugepages2Mi,
            _ => Hugepages1Gi,
        };
        set
        {
            switch (resource)
            {
                case MemoryResource.Memory:
                    Memory = value;
                    break;
                case MemoryResource.Hugepages2Mi:
                    Hugepages2Mi = value;
                    break;
                default:
                    Hugepages1Gi = value;
                    break;
            }
        }
    }

    /// <summary>True when no resource has a positive amount ("no requests").</summary>
    public readonly bool IsZero => Memory <= 0 && Hugepages2Mi <= 0 && Hugepages1Gi <= 0;

    /// <summary>Bit i set when resource i has a positive amount.</summary>
    public readonly int PositiveMask =>
        (Memory > 0 ? 1 : 0) | (Hugepages2Mi > 0 ? 2 : 0) | (Hugepages1Gi > 0 ? 4 : 0);

    public readonly MemoryAmounts Plus(in MemoryAmounts other) =>
        new(Memory + other.Memory, Hugepages2Mi + other.Hugepages2Mi, Hugepages1Gi + other.Hugepages1Gi);

    public readonly MemoryAmounts Minus(in MemoryAmounts other) =>
        new(Memory - other.Memory, Hugepages2Mi - other.Hugepages2Mi, Hugepages1Gi - other.Hugepages1Gi);

    public readonly MemoryAmounts Max(in MemoryAmounts other) =>
        new(Math.Max(Memory, other.Memory), Math.Max(Hugepages2Mi, other.Hugepages2Mi), Math.Max(Hugepages1Gi, other.Hugepages1Gi));

    /// <summary>Negative amounts become 0 (docs/kubelet-rules.md §5.5: "only positive values").</summary>
    public readonly MemoryAmounts PositivePart() =>
        new(Math.Max(0, Memory), Math.Max(0, Hugepages2Mi), Math.Max(0, Hugepages1Gi));

    public readonly bool Equals(MemoryAmounts other) =>
        Memory == other.Memory && Hugepages2Mi == other.Hugepages2Mi && Hugepages1Gi == other.Hugepages1Gi;

    public readonly override bool Equals(object? obj) => obj is MemoryAmounts other && Equals(other);

    public readonly override int GetHashCode() => HashCode.Combine(Memory, Hugepages2Mi, Hugepages1Gi);

    public static bool operator ==(MemoryAmounts left, MemoryAmounts right) => left.Equals(right);

    public static bool operator !=(MemoryAmounts left, MemoryAmounts right) => !left.Equals(right);

    public readonly override string ToString() => $"memory={Memory} hugepages-2Mi={Hugepages2Mi} hugepages-1Gi={Hugepages1Gi}";
}
