namespace ResMgrLite.Engine.Model;

/// <summary>How a container runs inside its pod (docs/kubelet-rules.md §3.9, §5.8).</summary>
internal enum ContainerRole
{
    /// <summary>A regular app container.</summary>
    App,

    /// <summary>A regular init container: runs to completion before the next one starts.</summary>
    Init,

    /// <summary>A restartable init container (sidecar): runs alongside the app containers.</summary>
    Sidecar,
}
