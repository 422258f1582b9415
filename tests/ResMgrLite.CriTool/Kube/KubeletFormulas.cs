using ResMgrLite.CriTool.Cri.V1;

namespace ResMgrLite.CriTool.Kube;

/// <summary>
/// How the kubelet turns requests and limits into CRI Linux resources with the cgroupfs driver:
/// CFS shares and quota (pkg/kubelet/cm helpers), the OOM score adjustment per QoS class
/// (docs/kubelet-rules.md §8) and the pod cgroup parent per QoS class.
/// </summary>
internal static class KubeletFormulas
{
    public const long MinShares = 2;
    public const long SharesPerCpu = 1024;
    public const long MilliCpuPerCpu = 1000;
    public const long QuotaPeriodMicroseconds = 100_000;
    public const long MinQuotaMicroseconds = 1_000;
    public const int GuaranteedOomScoreAdj = -997;
    public const int BestEffortOomScoreAdj = 1000;

    public static long MilliCpuToShares(long milliCpu)
    {
        if (milliCpu <= 0)
        {
            return MinShares;
        }

        return Math.Max(MinShares, milliCpu * SharesPerCpu / MilliCpuPerCpu);
    }

    public static long MilliCpuToQuota(long milliCpu, long periodMicroseconds)
    {
        if (milliCpu <= 0)
        {
            return 0;
        }

        return Math.Max(MinQuotaMicroseconds, milliCpu * periodMicroseconds / MilliCpuPerCpu);
    }

    /// <summary>Burstable: 1000 − 1000·request/capacity, kept inside [3, 999] (§8).</summary>
    public static int OomScoreAdj(QosClass qos, long memoryRequestBytes, long memoryCapacityBytes)
    {
        switch (qos)
        {
            case QosClass.Guaranteed:
                return GuaranteedOomScoreAdj;
            case QosClass.BestEffort:
                return BestEffortOomScoreAdj;
        }

        var adj = 1000 - (1000 * Math.Max(0, memoryRequestBytes) / Math.Max(1, memoryCapacityBytes));
        // Below 1000 + (−997) a Burstable pod would outlive Guaranteed ones; at 1000 it would tie BestEffort.
        if (adj < 1000 + GuaranteedOomScoreAdj)
        {
            return 1000 + GuaranteedOomScoreAdj;
        }

        return adj == BestEffortOomScoreAdj ? BestEffortOomScoreAdj - 1 : (int)adj;
    }

    /// <summary>cgroupfs pod cgroup: /kubepods/pod&lt;uid&gt;, /kubepods/burstable/…, /kubepods/besteffort/….</summary>
    public static string PodCgroupParent(QosClass qos, string podUid) => qos switch
    {
        QosClass.Guaranteed => $"/kubepods/pod{podUid}",
        QosClass.Burstable => $"/kubepods/burstable/pod{podUid}",
        _ => $"/kubepods/besteffort/pod{podUid}",
    };

    /// <summary>The container's CRI resources (kubelet generateLinuxContainerResources).</summary>
    public static LinuxContainerResources ContainerResources(PodSpec pod, ContainerSpec container, long memoryCapacityBytes)
    {
        var resources = CfsAndMemory(container.Requests, container.Limits);
        resources.OomScoreAdj = OomScoreAdj(pod.QosClass, container.Requests.MemoryBytes, memoryCapacityBytes);
        return resources;
    }

    /// <summary>The sandbox's CRI resources: the same formulas over the pod's summed requests and limits.</summary>
    public static LinuxContainerResources PodResources(PodSpec pod) => CfsAndMemory(pod.TotalRequests, pod.TotalLimits);

    private static LinuxContainerResources CfsAndMemory(ResourceAmounts requests, ResourceAmounts limits)
    {
        var resources = new LinuxContainerResources
        {
            CpuShares = MilliCpuToShares(requests.HasCpu ? requests.MilliCpu : limits.MilliCpu),
        };
        if (limits.HasCpu)
        {
            resources.CpuPeriod = QuotaPeriodMicroseconds;
            resources.CpuQuota = MilliCpuToQuota(limits.MilliCpu, QuotaPeriodMicroseconds);
        }

        if (limits.HasMemory)
        {
            resources.MemoryLimitInBytes = limits.MemoryBytes;
        }

        return resources;
    }
}
