namespace ResMgrLite.Engine.Model;

/// <summary>Pod QoS classes (spec/resource-managers.md §8).</summary>
public enum QosClass
{
    BestEffort,
    Burstable,
    Guaranteed,
}
