namespace ResMgrLite.Config.Settings;

/// <summary>spec/resource-managers.md §2.2.</summary>
public enum TopologyManagerPolicy
{
    None,
    BestEffort,
    Restricted,
    SingleNumaNode,
}
