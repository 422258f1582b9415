namespace ResMgrLite.CriTool.Kube;

/// <summary>
/// The kubelet's classic QoS rule over the app containers (docs/kubelet-rules.md §8; this
/// driver has no init containers and no pod-level resources).
/// </summary>
internal static class QosClassifier
{
    public static QosClass Classify(IReadOnlyList<ContainerSpec> containers)
    {
        var requests = ResourceAmounts.None;
        var limits = ResourceAmounts.None;
        // Rule 2: any container without both a cpu and a memory limit rules out Guaranteed.
        var everyContainerFullyLimited = true;
        foreach (var container in containers)
        {
            requests += container.Requests;
            limits += container.Limits;
            everyContainerFullyLimited &= container.Limits.HasCpu && container.Limits.HasMemory;
        }

        if (requests.IsEmpty && limits.IsEmpty)
        {
            return QosClass.BestEffort;
        }

        // Rule 4: every summed request has an equal summed limit, and as many resources have
        // requests as have limits.
        var sameResources = requests.HasCpu == limits.HasCpu && requests.HasMemory == limits.HasMemory;
        var equalAmounts = requests.MilliCpu == limits.MilliCpu && requests.MemoryBytes == limits.MemoryBytes;
        return everyContainerFullyLimited && sameResources && equalAmounts ? QosClass.Guaranteed : QosClass.Burstable;
    }
}
