using ResMgrLite.Nri;
using ResMgrLite.Nri.Api;

namespace ResMgrLite.Plugin;

/// <summary>
/// Gathers one streamed Synchronize for a reconciliation that needs every pod and container at
/// once. Of each container it keeps only what a resource decision can use (its identity, state and
/// Linux resources; annotations are read from the pod): the runtime's containers can carry
/// hundreds of labels, annotations, environment variables, mounts and hooks each, and holding all
/// of them until the last chunk arrives would cost several times the message size.
/// </summary>
internal sealed class SynchronizeCollector(
    Func<IReadOnlyList<PodSandbox>, IReadOnlyList<Container>, CancellationToken, ValueTask<IReadOnlyList<ContainerUpdate>>> reconcile)
    : INriSynchronization
{
    private readonly List<PodSandbox> _pods = [];
    private readonly List<Container> _containers = [];

    public ReadOnlySpan<byte> PodAnnotationPrefix => SandboxEssentials.Utf8AnnotationPrefix;

    public void AddPod(PodSandbox pod) => _pods.Add(SandboxEssentials.Of(pod));

    public void AddContainer(Container container)
    {
        ArgumentNullException.ThrowIfNull(container);
        _containers.Add(WithoutBulk(container));
    }

    public ValueTask<IReadOnlyList<ContainerUpdate>> CompleteAsync(CancellationToken cancellationToken) =>
        reconcile(_pods, _containers, cancellationToken);

    /// <summary>Drops, in place, the parts of a container no CPU or memory decision reads.</summary>
    private static Container WithoutBulk(Container container)
    {
        container.Labels.Clear();
        container.Annotations.Clear();
        container.Args.Clear();
        container.Env.Clear();
        container.Mounts.Clear();
        container.Hooks = null;
        container.Rlimits.Clear();
        container.CDIDevices.Clear();
        if (container.Linux is { } linux)
        {
            linux.Devices.Clear();
            linux.Namespaces.Clear();
            linux.SeccompPolicy = null;
            linux.SeccompProfile = null;
        }

        return container;
    }
}
