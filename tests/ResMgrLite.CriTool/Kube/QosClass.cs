namespace ResMgrLite.CriTool.Kube;

/// <summary>Pod QoS class (docs/kubelet-rules.md §8).</summary>
internal enum QosClass
{
    Guaranteed,
    Burstable,
    BestEffort,
}
