using ResMgrLite.Nri.Api;

namespace ResMgrLite.Nri;

/// <summary>
/// Plugin-side NRI events, one method per event (docs/nri-rules.md §4.2). The host maps StateChange and the
/// v0.12 dedicated RPCs onto the same methods. Throwing from a method answers the runtime with an
/// error status: UNKNOWN with the exception message, or the code of a
/// <see cref="Ttrpc.TtrpcStatusException"/>. For CreateContainer that fails the container creation
/// (docs/nri-rules.md §6.4). Methods must answer within the runtime's request timeout (2 s by default); the
/// cancellation token fires at that deadline. Calls arrive off the connection's receive loop, so a
/// slow method does not hold up the next request.
/// </summary>
internal interface INriEventHandler
{
    /// <summary>
    /// Empty (the default): every event request is decoded whole. Otherwise the pods and containers
    /// of event requests arrive as a Synchronize's do (<see cref="INriSynchronization"/>): pods
    /// without labels and with only the annotations whose key starts with these UTF-8 bytes,
    /// containers without labels, annotations, arguments, environment, mounts, hooks, rlimits and
    /// CDI devices. Configure and Synchronize are not affected.
    /// </summary>
    ReadOnlySpan<byte> EventAnnotationPrefix => default;

    /// <summary>Returns the events wanted; the host drops bits the runtime does not know.</summary>
    ValueTask<NriEventMask> ConfigureAsync(NriConfigureContext context, CancellationToken cancellationToken);

    /// <summary>
    /// The runtime's pods and containers at registration (external plugins; pre-launched ones on
    /// NRI v0.7+) are about to be streamed: the host decodes them one at a time and hands each to
    /// the returned object, across all chunks of a split Synchronize (docs/nri-rules.md §6.3), then asks it for
    /// the updates. Called once per Synchronize sequence.
    /// </summary>
    INriSynchronization BeginSynchronize();

    ValueTask<CreateContainerResult> CreateContainerAsync(PodSandbox pod, Container container, CancellationToken cancellationToken);

    /// <summary>
    /// CRI asked for <paramref name="requested"/>. An update for the same container id changes that
    /// request; updates for other containers are applied first (docs/nri-rules.md §7.4).
    /// </summary>
    ValueTask<IReadOnlyList<ContainerUpdate>> UpdateContainerAsync(PodSandbox pod, Container container, LinuxResources? requested, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<ContainerUpdate>> StopContainerAsync(PodSandbox pod, Container container, CancellationToken cancellationToken);

    /// <summary>
    /// Every other lifecycle event: pod run/stop/remove, container post-create, start, post-start,
    /// post-update, remove. <paramref name="container"/> is null for pod events.
    /// </summary>
    ValueTask StateChangeAsync(Event kind, PodSandbox pod, Container? container, CancellationToken cancellationToken);

    /// <summary>
    /// NRI v0.10+ only (containerd 2.3+ relays CRI UpdatePodSandboxResources, CRI-O 1.34+): the pod's
    /// resources are about to change to <paramref name="resources"/>; <paramref name="pod"/> still
    /// shows the old ones. The reply carries nothing (UpdatePodSandboxResponse has no fields in any
    /// NRI version): container changes go out through <see cref="NriConfigureContext.Updates"/>,
    /// never awaited inside this call. Throwing fails the CRI call on containerd.
    /// </summary>
    ValueTask UpdatePodSandboxAsync(PodSandbox pod, LinuxResources? overhead, LinuxResources? resources, CancellationToken cancellationToken);

    /// <summary>
    /// NRI v0.10+ only: the pod update went through. Delivered as its own call by v0.12 runtimes and
    /// as a StateChange by v0.10–v0.11 ones; both arrive here. Not sent by CRI-O (docs/nri-rules.md §7.6).
    /// </summary>
    ValueTask PostUpdatePodSandboxAsync(PodSandbox pod, CancellationToken cancellationToken);

    /// <summary>Defined by NRI but never called by any runtime examined (docs/nri-rules.md §6.5).</summary>
    ValueTask ShutdownAsync(CancellationToken cancellationToken);
}
