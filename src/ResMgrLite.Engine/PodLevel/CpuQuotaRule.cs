using ResMgrLite.Engine.Model;

namespace ResMgrLite.Engine.PodLevel;

/// <summary>
/// The one place that says who loses the CFS quota (docs/kubelet-rules.md §5.7, the kubelet's
/// <c>DisableCPUQuotaWithExclusiveCPUs</c>): a container with exclusive CPUs runs without a quota,
/// and so does its pod cgroup, because the pod's quota would otherwise throttle the container that
/// owns its CPUs. Containers at the pod or host level keep the quota the kubelet set.
/// </summary>
internal static class CpuQuotaRule
{
    /// <summary>The CFS quota value that means "no quota" in a container adjustment and in a pod-cgroup plan.</summary>
    public const long NoQuota = -1;

    /// <summary>True when the container's own quota is lifted.</summary>
    public static bool LiftsContainerQuota(ResourceIsolationLevel level) => level == ResourceIsolationLevel.Container;

    /// <summary>Plans the pod cgroup's quota lift when one of the pod's containers has exclusive CPUs.</summary>
    public static void PlanPodQuota(bool podHasExclusiveContainer, string podUid, QosClass qos, List<PodCgroupWrite> plan)
    {
        if (podHasExclusiveContainer)
        {
            plan.Add(new PodCgroupWrite(PodCgroupTarget.Pod, PodCgroupKnob.CpuQuota, NoQuota, podUid, qos));
        }
    }
}
