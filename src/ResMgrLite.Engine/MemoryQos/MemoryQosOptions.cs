namespace ResMgrLite.Engine.MemoryQos;

/// <summary><c>memoryReservationPolicy</c> (docs/kubelet-rules.md §6.1).</summary>
internal enum MemoryReservationPolicy
{
    /// <summary>No protection: memory.min and memory.low are written as 0; memory.high throttling still applies.</summary>
    None,

    /// <summary>Guaranteed requests become memory.min, Burstable requests memory.low.</summary>
    TieredReservation,
}

/// <summary>Memory QoS (KEP-2570) settings, v1.36 semantics (§6.1). Only effective on cgroup v2.</summary>
internal sealed record MemoryQosOptions
{
    public MemoryReservationPolicy ReservationPolicy { get; init; } = MemoryReservationPolicy.None;

    /// <summary><c>memoryThrottlingFactor</c>, valid in (0, 1]; v1.36 default 0.9.</summary>
    public double ThrottlingFactor { get; init; } = 0.9;

    /// <summary>The OS base page size memory.high is rounded down to (never a hugepage size, §6.3).</summary>
    public long PageSizeBytes { get; init; } = 4096;

    /// <summary>Node allocatable memory (capacity − kube-reserved − system-reserved − hard eviction); the memory.high limit of containers without one. 0 = unknown.</summary>
    public long NodeAllocatableMemoryBytes { get; init; }

    /// <summary>Configuration problems; empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!(ThrottlingFactor > 0 && ThrottlingFactor <= 1.0))
        {
            problems.Add($"memoryThrottlingFactor {ThrottlingFactor} is outside the valid range (0, 1.0]");
        }
        if (PageSizeBytes <= 0 || (PageSizeBytes & (PageSizeBytes - 1)) != 0)
        {
            problems.Add($"the page size {PageSizeBytes} is not a positive power of two");
        }
        if (NodeAllocatableMemoryBytes < 0)
        {
            problems.Add($"node allocatable memory {NodeAllocatableMemoryBytes} is negative");
        }
        return problems;
    }
}
