namespace ResMgrLite.Engine.Model;

/// <summary>Pod QoS classes (docs/kubelet-rules.md §8).</summary>
internal enum QosClass
{
    BestEffort,
    Burstable,
    Guaranteed,
}
