namespace ResMgrLite.Config.Settings;

/// <summary>spec/resource-managers.md §4.</summary>
public enum MemoryManagerPolicy
{
    None,
    Static,
}
