using ResMgrLite.Nri;
using ResMgrLite.Nri.Api;

namespace ResMgrLite.TestSupport.FakeNri;

/// <summary>
/// Drives a handler's streamed Synchronize the way the NRI host does: every pod, then every
/// container, then completion. For tests that hold the whole runtime state as lists.
/// </summary>
internal static class StreamedSynchronize
{
    public static ValueTask<IReadOnlyList<ContainerUpdate>> SynchronizeAsync(this INriEventHandler handler, IEnumerable<PodSandbox> pods, IEnumerable<Container> containers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(containers);
        INriSynchronization synchronization = handler.BeginSynchronize();
        foreach (PodSandbox pod in pods)
        {
            synchronization.AddPod(pod);
        }
        foreach (Container container in containers)
        {
            synchronization.AddContainer(container);
        }
        return synchronization.CompleteAsync(cancellationToken);
    }
}
