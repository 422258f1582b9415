using ResMgrLite.Engine.Model;

namespace ResMgrLite.Engine.Resize;

/// <summary>
/// What the engine remembers of a pod's last in-place resize (part of the state file): the budget
/// asked for, the budget in force (the runtime keeps showing the creation-time <c>pod_resources</c>,
/// so after a restart this one wins), and how the last decision came out and why.
/// </summary>
/// <param name="Desired">The budget the last UpdatePodSandbox asked for.</param>
/// <param name="InForce">The budget the allocation follows now.</param>
/// <param name="Reason">Empty for applied and unchanged; the manager and the reason otherwise.</param>
internal readonly record struct PodResizeRecord(ContainerResources Desired, ContainerResources InForce, ResizeOutcome Outcome, string Reason)
{
    /// <summary>A deferred resize is retried on every release and reconcile.</summary>
    public bool IsPending => Outcome == ResizeOutcome.Deferred;
}
