using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.TopologyManagement;

namespace ResMgrLite.Engine;

/// <summary>
/// What the engine decided for one admitted container, with everything the plugin must do about it:
/// the container's own <see cref="Settings"/>, and in <see cref="Effects"/> the other containers whose
/// cpuset changed and the pod- and QoS-level cgroup writes.
/// </summary>
internal struct ContainerDecision
{
    public ContainerKey Key;

    /// <summary>What the container gets.</summary>
    public ContainerSettings Settings;

    /// <summary>The hint the Topology Manager settled on.</summary>
    public TopologyHint Hint;

    /// <summary>How the CPU manager decided (pool changes, unused pod budget); default when CPU management is off.</summary>
    public CpuDecision Cpu;

    /// <summary>How the Memory Manager decided (kind, blocks, hint extension); default when memory management is off.</summary>
    public MemoryDecision Memory;

    /// <summary>True when the engine's state changed (false for a retried admission of the same container id).</summary>
    public bool StateChanged;

    /// <summary>Other containers and pod cgroups; engine-owned, valid until the engine's next call.</summary>
    public EngineEffects Effects;
}

/// <summary>What a release changed, with its effects (widened pools, lowered QoS parents).</summary>
internal readonly struct ReleaseDecision(bool released, EngineEffects effects)
{
    /// <summary>True when the engine held something for the container or pod and let it go.</summary>
    public bool Released { get; } = released;

    /// <summary>Engine-owned, valid until the engine's next call.</summary>
    public EngineEffects Effects { get; } = effects;
}
