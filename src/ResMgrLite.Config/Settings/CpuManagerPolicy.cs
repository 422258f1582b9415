namespace ResMgrLite.Config.Settings;

/// <summary>spec/resource-managers.md §3.</summary>
public enum CpuManagerPolicy
{
    None,
    Static,
}
