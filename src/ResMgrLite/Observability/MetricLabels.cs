namespace ResMgrLite.Observability;

/// <summary>The kubelet's <c>resource_name</c> label of the resource-manager metrics.</summary>
internal enum ManagedResource
{
    Cpu,
    Memory,
}

/// <summary>The kubelet's <c>source</c> label (KEP-5526): exclusive resources from the node pool or from a pod-level budget.</summary>
internal enum AllocationSource
{
    Pod,
    Node,
}

/// <summary>The kubelet's <c>assignment_type</c> label (KEP-5526).</summary>
internal enum AssignmentType
{
    /// <summary>Exclusive resources of the container's own, from the node pool.</summary>
    NodeExclusive,

    /// <summary>An exclusive slice of its pod's pod-level budget.</summary>
    PodExclusive,

    /// <summary>A member of its pod's shared pool (the budget minus the exclusive slices).</summary>
    PodShared,
}

/// <summary>Outcome of container updates sent to the runtime (<c>resmgrlite_container_updates_total{result}</c>).</summary>
internal enum ContainerUpdateResult
{
    /// <summary>Carried by an event's answer or accepted by UpdateContainers.</summary>
    Applied,

    /// <summary>Sent again after a failed UpdateContainers call.</summary>
    Retried,

    /// <summary>Rejected by the runtime, or dropped because no connection was there.</summary>
    Failed,
}

/// <summary>The NRI requests the plugin answers (<c>resmgrlite_nri_request_duration_seconds{event}</c>), named as NRI names its methods.</summary>
internal enum NriRequestKind
{
    Configure,
    Synchronize,
    Shutdown,
    RunPodSandbox,
    StopPodSandbox,
    RemovePodSandbox,
    UpdatePodSandbox,
    CreateContainer,
    StartContainer,
    UpdateContainer,
    StopContainer,
    RemoveContainer,
    PostCreateContainer,
    PostStartContainer,
    PostUpdateContainer,
    PostUpdatePodSandbox,
}
