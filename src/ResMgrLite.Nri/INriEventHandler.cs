using ResMgrLite.Nri.Api;

namespace ResMgrLite.Nri;

/// <summary>
/// Plugin-side NRI events, one method per event (spec §4.2). The host maps StateChange and the
/// v0.12 dedicated RPCs onto the same methods. Throwing from a method answers the runtime with an
/// error status: UNKNOWN with the exception message, or the code of a
/// <see cref="Ttrpc.TtrpcStatusException"/>. For CreateContainer that fails the container creation
/// (spec §6.4). Methods must answer within the runtime's request timeout (2 s by default); the
/// cancellation token fires at that deadline.
/// </summary>
public interface INriEventHandler
{
    /// <summary>Returns the events wanted; the host drops bits the runtime does not know.</summary>
    ValueTask<NriEventMask> ConfigureAsync(NriConfigureContext context, CancellationToken cancellationToken);

    /// <summary>
    /// The runtime's pods and containers at registration (external plugins; pre-launched ones on
    /// NRI v0.7+). Chunked requests are accumulated by the host and delivered here once.
    /// </summary>
    ValueTask<IReadOnlyList<ContainerUpdate>> SynchronizeAsync(IReadOnlyList<PodSandbox> pods, IReadOnlyList<Container> containers, CancellationToken cancellationToken);

    ValueTask<CreateContainerResult> CreateContainerAsync(PodSandbox pod, Container container, CancellationToken cancellationToken);

    /// <summary>
    /// CRI asked for <paramref name="requested"/>. An update for the same container id changes that
    /// request; updates for other containers are applied first (spec §7.4).
    /// </summary>
    ValueTask<IReadOnlyList<ContainerUpdate>> UpdateContainerAsync(PodSandbox pod, Container container, LinuxResources? requested, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<ContainerUpdate>> StopContainerAsync(PodSandbox pod, Container container, CancellationToken cancellationToken);

    /// <summary>
    /// Every other lifecycle event: pod run/stop/remove, post-update pod, container post-create,
    /// start, post-start, post-update, remove. <paramref name="container"/> is null for pod events.
    /// </summary>
    ValueTask StateChangeAsync(Event kind, PodSandbox pod, Container? container, CancellationToken cancellationToken);

    /// <summary>NRI v0.10+ only: the pod's resources were changed through CRI.</summary>
    ValueTask UpdatePodSandboxAsync(PodSandbox pod, LinuxResources? overhead, LinuxResources? resources, CancellationToken cancellationToken);

    /// <summary>Defined by NRI but never called by any runtime examined (spec §6.5).</summary>
    ValueTask ShutdownAsync(CancellationToken cancellationToken);
}
