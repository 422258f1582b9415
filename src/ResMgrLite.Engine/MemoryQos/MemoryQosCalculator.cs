using ResMgrLite.Engine.Model;

namespace ResMgrLite.Engine.MemoryQos;

/// <summary>
/// Memory QoS values for containers and pod cgroups (docs/kubelet-rules.md §6.2-§6.4, §11 rule 10).
/// Pure arithmetic; the protection knob that does not apply is written as 0, so a value left by an
/// earlier configuration is cleared (§6.2 note).
/// </summary>
internal static class MemoryQosCalculator
{
    /// <summary>The container cgroup's memory.min / low / high / max (§6.2).</summary>
    public static MemoryQosValues ForContainer(QosClass podQos, in ContainerResources resources, MemoryQosOptions options)
    {
        bool tiered = options.ReservationPolicy == MemoryReservationPolicy.TieredReservation;
        long request = Math.Max(0, resources.MemoryRequestBytes);
        long limit = Math.Max(0, resources.MemoryLimitBytes);
        var values = new MemoryQosValues { Min = 0, Low = 0 };
        switch (podQos)
        {
            case QosClass.Guaranteed:
                values.Min = tiered ? request : 0;
                break;
            case QosClass.Burstable:
                values.Low = tiered ? request : 0;
                break;
        }
        if (podQos != QosClass.BestEffort && limit > 0)
        {
            values.Max = limit;
        }
        values.High = MemoryHigh(request, limit, options);
        return values;
    }

    /// <summary>
    /// <c>memory.high</c> (§6.3): when request ≠ limit or the request is 0, with the node's allocatable
    /// memory as the limit of an unlimited container: <c>floor((request + factor·(limit − request)) / page) · page</c>,
    /// in IEEE double like the kubelet, and only when the result exceeds the request.
    /// </summary>
    /// <remarks>
    /// The guard is the v1.37 one (kubernetes#137685): v1.27-v1.36 test only request ≠ limit, so a
    /// container without memory request and limit (every BestEffort one) got no memory.high, contrary
    /// to the KEP. Here it is throttled below node allocatable, as the KEP and v1.37 intend.
    /// </remarks>
    public static long? MemoryHigh(long request, long limit, MemoryQosOptions options)
    {
        bool applies = request != limit || request == 0;
        if (!applies)
        {
            return null;
        }
        long effectiveLimit = limit > 0 ? limit : options.NodeAllocatableMemoryBytes;
        if (effectiveLimit <= 0)
        {
            return null;
        }
        double pages = Math.Floor((request + options.ThrottlingFactor * (effectiveLimit - request)) / options.PageSizeBytes);
        long high = (long)pages * options.PageSizeBytes;
        return high != 0 && high > request ? high : null;
    }

    /// <summary>The pod cgroup's protection (§6.4): TieredReservation gives Guaranteed pods memory.min and Burstable pods memory.low.</summary>
    public static MemoryQosValues ForPod(QosClass podQos, long podRequestBytes, MemoryQosOptions options)
    {
        var values = new MemoryQosValues { Min = 0, Low = 0 };
        if (options.ReservationPolicy != MemoryReservationPolicy.TieredReservation)
        {
            return values;
        }
        if (podQos == QosClass.Guaranteed)
        {
            values.Min = podRequestBytes;
        }
        else if (podQos == QosClass.Burstable)
        {
            values.Low = podRequestBytes;
        }
        return values;
    }
}
