using ResMgrLite.Engine.Model;

namespace ResMgrLite.Plugin;

/// <summary>The kubelet's QoS class rule (docs/kubelet-rules.md §8) over CPU and memory requests and limits.</summary>
internal static class PodQos
{
    /// <summary>
    /// The class of a pod from its containers' resources (init and app containers alike), or from its
    /// pod-level resources alone when it has them (pass that one set). Values are after API
    /// defaulting (a missing request equals the limit); 0 means not set.
    /// </summary>
    public static QosClass Of(ReadOnlySpan<ContainerResources> resources)
    {
        long cpuRequests = 0, cpuLimits = 0, memoryRequests = 0, memoryLimits = 0;
        bool everyOneLimitsBoth = true;
        foreach (ContainerResources r in resources)
        {
            cpuRequests += r.CpuRequestMilli;
            cpuLimits += r.CpuLimitMilli;
            memoryRequests += r.MemoryRequestBytes;
            memoryLimits += r.MemoryLimitBytes;
            everyOneLimitsBoth &= r.CpuLimitMilli > 0 && r.MemoryLimitBytes > 0;
        }
        if (cpuRequests == 0 && cpuLimits == 0 && memoryRequests == 0 && memoryLimits == 0)
        {
            return QosClass.BestEffort;
        }
        // Both limits are set, so equal sums also mean both requests are set (rule 4's count check).
        return everyOneLimitsBoth && resources.Length > 0 && cpuRequests == cpuLimits && memoryRequests == memoryLimits
            ? QosClass.Guaranteed
            : QosClass.Burstable;
    }
}
