namespace ResMgrLite.Config.Settings;

/// <summary>docs/kubelet-rules.md §4.</summary>
internal enum MemoryManagerPolicy
{
    None,
    Static,
}
