namespace ResMgrLite.Config.Settings;

/// <summary>docs/kubelet-rules.md §3.</summary>
internal enum CpuManagerPolicy
{
    None,
    Static,
}
