namespace ResMgrLite.Config.Settings;

/// <summary>spec/resource-managers.md §2.5.</summary>
public enum TopologyManagerScope
{
    Container,
    Pod,
}
