using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.PodLevel;

namespace ResMgrLite.Engine.MemoryQos;

/// <summary>The pod memory request Memory QoS protects (docs/kubelet-rules.md §6.4).</summary>
internal static class PodMemoryRequest
{
    /// <summary>
    /// The pod's memory request as the kubelet's shared pod-requests helper computes it: the pod-level
    /// request when pod-level resources are set, else the sidecar-aware fold over the containers
    /// (<see cref="PodRequestFold"/>), plus the pod overhead.
    /// </summary>
    public static long Of(PodSpec pod, long overheadBytes = 0)
    {
        if (pod.HasPodLevelResources && pod.PodLevel is { MemoryRequestBytes: > 0 } podLevel)
        {
            return podLevel.MemoryRequestBytes + overheadBytes;
        }
        return PodRequestFold.Fold<long, MemoryRequestRule>(pod, default) + overheadBytes;
    }

    private readonly struct MemoryRequestRule : IPodRequestRule<long>
    {
        public long RequestOf(ContainerSpec container) => Math.Max(0, container.Resources.MemoryRequestBytes);

        public long Add(long a, long b) => a + b;

        public long Max(long a, long b) => Math.Max(a, b);
    }
}
