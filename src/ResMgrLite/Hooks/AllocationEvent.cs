namespace ResMgrLite.Hooks;

/// <summary>What changed; the name each hook sees is in <see cref="AllocationEventNames"/>.</summary>
internal enum AllocationEvent
{
    /// <summary>A container was admitted and the runtime took its CPUs.</summary>
    ContainerAdmitted,

    /// <summary>A container's CPUs went back to the pool (removed, or its pod went away).</summary>
    ContainerReleased,

    /// <summary>A running container's CPUs changed (an update or an in-place resize).</summary>
    ContainerResized,

    /// <summary>The shared pool changed without a container of its own (e.g. the reconcile pass).</summary>
    SharedPoolChanged,

    /// <summary>The plugin (re)started: the current pools, so hooks can converge on them.</summary>
    Replay,
}

/// <summary>The spelling of each event on stdin (<c>event</c>) and in <c>RESMGRLITE_EVENT</c>.</summary>
internal static class AllocationEventNames
{
    public static string Of(AllocationEvent value) => value switch
    {
        AllocationEvent.ContainerAdmitted => "container-admitted",
        AllocationEvent.ContainerReleased => "container-released",
        AllocationEvent.ContainerResized => "container-resized",
        AllocationEvent.SharedPoolChanged => "shared-pool-changed",
        _ => "replay",
    };
}
