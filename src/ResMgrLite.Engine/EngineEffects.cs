using ResMgrLite.Engine.Model;

namespace ResMgrLite.Engine;

/// <summary>Which CPU pool a container follows.</summary>
internal enum CpuPool : byte
{
    /// <summary>The node shared ("default") pool.</summary>
    Node,

    /// <summary>Its pod's KEP-5526 shared pool.</summary>
    Pod,
}

/// <summary>Another running container whose cpuset changed with a decision: it follows a pool that changed.</summary>
internal readonly record struct CpusetChange(ContainerKey Key, string ContainerId, CpuPool Pool);

/// <summary>
/// What a decision means beyond the container itself: the other containers whose cpuset changed
/// and the pod- and QoS-level cgroup writes, in the order they must be applied. Owned and reused by
/// the engine (so deciding allocates nothing): valid until the engine's next call.
/// </summary>
internal sealed class EngineEffects
{
    internal readonly List<CpusetChange> Changes = new(64);
    internal readonly List<PodCgroupWrite> Writes = new(8);

    /// <summary>Running containers whose cpuset is now <see cref="NodePoolCpus"/> or <see cref="PodPoolCpus"/>.</summary>
    public IReadOnlyList<CpusetChange> OtherContainers => Changes;

    /// <summary>Pod and QoS-class cgroup writes (quota lift, Memory QoS), in order.</summary>
    public IReadOnlyList<PodCgroupWrite> PodCgroupWrites => Writes;

    /// <summary>The node shared pool after the decision.</summary>
    public CpuSet NodePoolCpus;

    /// <summary>The shared pool of the pod whose pool changed (empty when none did).</summary>
    public CpuSet PodPoolCpus;

    /// <summary>The cpuset <paramref name="change"/> must have now.</summary>
    public CpuSet CpusOf(in CpusetChange change) => change.Pool == CpuPool.Node ? NodePoolCpus : PodPoolCpus;

    internal void Clear()
    {
        Changes.Clear();
        Writes.Clear();
        NodePoolCpus = default;
        PodPoolCpus = default;
    }
}
