namespace ResMgrLite.Config.Schema;

/// <summary>What a later Configure with a changed value may do (docs/kubelet-rules.md §3.11: a policy change needs a drained node).</summary>
internal enum ReloadBehavior
{
    /// <summary>Applied at once.</summary>
    Live,

    /// <summary>Changes existing assignments: refused; drain the node, delete the state files and restart.</summary>
    NeedsDrain,

    /// <summary>Read only at start: refused; restart the plugin to apply.</summary>
    NeedsRestart,
}
