using ResMgrLite.Engine;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.Resize;

namespace ResMgrLite.Plugin;

/// <summary>What happened to the allocations.</summary>
internal enum AllocationChangeKind
{
    /// <summary>Resource management started (with the state file's allocations when there was one).</summary>
    Restored,

    /// <summary>A container was admitted (its settings are in the change).</summary>
    ContainerAdmitted,

    /// <summary>A container's resources were released.</summary>
    ContainerReleased,

    /// <summary>Everything a pod held was released (removal, Synchronize, the stale-state pass).</summary>
    PodReleased,

    /// <summary>The state was reconciled with the runtime's containers.</summary>
    Synchronized,

    /// <summary>The runtime started a container: it created it with what it was given (no allocation changed).</summary>
    ContainerStarted,

    /// <summary>
    /// An in-place pod resize was decided (<see cref="AllocationChange.ResizeOutcome"/>; the budgets and
    /// the reason are in <see cref="ResourceEngine.Resizes"/>). Published once per distinct decision:
    /// a deferred resize retried without a new outcome is not published again.
    /// </summary>
    PodResized,
}

/// <summary>One acknowledged allocation change: the engine decided it, the state file holds it when it had to, the runtime is about to be told.</summary>
/// <param name="Settings">The container's settings for <see cref="AllocationChangeKind.ContainerAdmitted"/>; default otherwise.</param>
/// <param name="ResizeOutcome">How the resize came out for <see cref="AllocationChangeKind.PodResized"/>; default otherwise.</param>
internal readonly struct AllocationChange(AllocationChangeKind kind, string podUid = "", string containerName = "", string containerId = "", ContainerSettings settings = default, ResizeOutcome resizeOutcome = default)
{
    public ResizeOutcome ResizeOutcome { get; } = resizeOutcome;

    public AllocationChangeKind Kind { get; } = kind;

    public string PodUid { get; } = podUid;

    public string ContainerName { get; } = containerName;

    public string ContainerId { get; } = containerId;

    public ContainerSettings Settings { get; } = settings;

    public ContainerKey Key => new(PodUid, ContainerName);
}

/// <summary>Subscribers to acknowledged allocation changes (hooks, metrics, the NodeResourceTopology file).</summary>
internal interface IAllocationObserver
{
    /// <summary>Called under the handler's lock, before the answer leaves: keep it short, never block on I/O of the runtime.</summary>
    void OnAllocationChanged(in AllocationChange change, ResourceEngine engine);
}

/// <summary>
/// The one place every acknowledged allocation change is reported. An observer that throws is
/// logged through <see cref="Failed"/> and does not stop the others or the answer.
/// </summary>
internal sealed class AllocationFeed
{
    private IAllocationObserver[] _observers = [];

    public void Subscribe(IAllocationObserver observer) => _observers = [.. _observers, observer];

    /// <summary>Receives an observer's failure (the handler logs it).</summary>
    public Action<IAllocationObserver, Exception>? Failed { get; set; }

    public void Publish(in AllocationChange change, ResourceEngine engine)
    {
        foreach (IAllocationObserver observer in _observers)
        {
            try
            {
                observer.OnAllocationChanged(change, engine);
            }
#pragma warning disable CA1031 // an observer's bug must not fail the runtime's request
            catch (Exception e)
#pragma warning restore CA1031
            {
                Failed?.Invoke(observer, e);
            }
        }
    }
}
