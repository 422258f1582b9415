using ResMgrLite.Nri.Api;

namespace ResMgrLite.Nri;

/// <summary>
/// One Synchronize as a stream (docs/nri-rules.md §6.1, §6.3): <see cref="AddPod"/> and <see cref="AddContainer"/>
/// for every object in the order they are decoded, then <see cref="CompleteAsync"/> once. The host
/// keeps none of the objects, so a multi-megabyte Synchronize is never held as a whole: keep what
/// a later decision needs and drop the rest. A split Synchronize continues the same stream, so a
/// container may come before its pod. If the connection ends first, the object is just dropped.
/// Objects arrive without what no reconciliation reads: pods without labels and with only the
/// annotations under <see cref="PodAnnotationPrefix"/>; containers without labels, annotations,
/// arguments, environment, mounts, hooks, rlimits and CDI devices.
/// </summary>
internal interface INriSynchronization
{
    /// <summary>Pods keep only the annotations whose key starts with these UTF-8 bytes; empty keeps them all.</summary>
    ReadOnlySpan<byte> PodAnnotationPrefix => default;

    /// <summary>Called on the receive loop while the message is decoded: do only quick work here.</summary>
    void AddPod(PodSandbox pod);

    /// <summary>Called on the receive loop while the message is decoded: do only quick work here.</summary>
    void AddContainer(Container container);

    /// <summary>Every object has been added: returns the updates for existing containers (applied by the runtime, failures ignored).</summary>
    ValueTask<IReadOnlyList<ContainerUpdate>> CompleteAsync(CancellationToken cancellationToken);
}
