namespace ResMgrLite.CriTool.Kube;

/// <summary>Pod QoS class (spec/resource-managers.md §8).</summary>
internal enum QosClass
{
    Guaranteed,
    Burstable,
    BestEffort,
}
