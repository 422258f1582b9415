namespace ResMgrLite.Config.Options;

/// <summary>docs/kubelet-rules.md §6.1 (KEP-2570).</summary>
internal sealed class MemoryQosSection
{
    /// <summary>kubelet feature gate <c>MemoryQoS</c>.</summary>
    public bool Enabled { get; set; }

    /// <summary>kubelet <c>memoryReservationPolicy</c>: <c>None</c> or <c>TieredReservation</c>.</summary>
    public string MemoryReservationPolicy { get; set; } = "None";

    /// <summary>kubelet <c>memoryThrottlingFactor</c>, in (0, 1].</summary>
    public double MemoryThrottlingFactor { get; set; } = 0.9;
}
