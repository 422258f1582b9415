using ResMgrLite.Engine.Model;

namespace ResMgrLite.Engine.Resize;

/// <summary>
/// The engine's answer to an in-place pod resize, with everything that must happen, in the order it
/// must happen so nothing overshoots the budget (docs/kubelet-rules.md §7.3): first
/// <see cref="WidenLimits"/> on the pod cgroup (and the Memory QoS writes when the request grows),
/// then the containers in <see cref="EngineEffects.OtherContainers"/> (narrowed ones first), then
/// <see cref="NarrowLimits"/> (and the Memory QoS writes when the request shrinks).
/// </summary>
internal struct ResizeDecision
{
    public string PodUid;

    public ResizeOutcome Outcome;

    /// <summary>For deferred and infeasible: "<i>manager</i>: <i>reason</i>" in words.</summary>
    public string Reason;

    /// <summary>The budget in force before the decision.</summary>
    public ContainerResources Previous;

    /// <summary>The budget asked for.</summary>
    public ContainerResources Desired;

    /// <summary>The outcome differs from the pod's last one (log and count once, not on every retry).</summary>
    public bool OutcomeChanged;

    /// <summary>The pod's memory request grew (Memory QoS writes go with the widening, before the containers).</summary>
    public bool MemoryRequestGrows;

    /// <summary>The pod's own cpuset pool grew (its members widen after the node pool narrowed).</summary>
    public bool PodPoolGrows;

    /// <summary>True when the engine's state changed (the state file must be written).</summary>
    public bool StateChanged;

    /// <summary>Pod cgroup limits that widen: written before any container changes.</summary>
    public IReadOnlyList<PodCgroupWrite> WidenLimits;

    /// <summary>Pod cgroup limits that narrow: written after the containers narrowed.</summary>
    public IReadOnlyList<PodCgroupWrite> NarrowLimits;

    /// <summary>Pool changes and Memory QoS writes; engine-owned, valid until the engine's next call.</summary>
    public EngineEffects Effects;
}
