using ResMgrLite.Engine;

namespace ResMgrLite.Hooks;

/// <summary>
/// One allocation change as the hooks see it. The pools are always complete (every exclusive CPU of
/// the node, the whole shared pool), so a hook that only sees the newest of several changes still
/// knows the full state: hooks converge on a state, they do not replay a history.
/// </summary>
/// <param name="Event">What happened.</param>
/// <param name="PodNamespace">The pod's namespace; empty for events without a container.</param>
/// <param name="PodName">The pod's name; empty for events without a container.</param>
/// <param name="PodUid">The pod's uid; empty for events without a container.</param>
/// <param name="ContainerName">The container's name in the pod spec; empty for events without a container.</param>
/// <param name="ContainerId">The runtime's container id; empty for events without a container.</param>
/// <param name="ContainerCpus">The container's cpuset after the change (empty when released).</param>
/// <param name="ContainerNumaNodes">The container's memory nodes as a bit mask (bit n = node n; 0 = not restricted).</param>
/// <param name="SharedCpus">The shared pool after the change.</param>
/// <param name="ExclusiveCpus">Every CPU held exclusively by some container after the change.</param>
internal sealed record AllocationChange(
    AllocationEvent Event,
    string PodNamespace,
    string PodName,
    string PodUid,
    string ContainerName,
    string ContainerId,
    CpuSet ContainerCpus,
    ulong ContainerNumaNodes,
    CpuSet SharedCpus,
    CpuSet ExclusiveCpus)
{
    /// <summary>A change of the pools alone (<see cref="AllocationEvent.SharedPoolChanged"/>, <see cref="AllocationEvent.Replay"/>).</summary>
    public static AllocationChange OfPools(AllocationEvent value, CpuSet sharedCpus, CpuSet exclusiveCpus) =>
        new(value, "", "", "", "", "", CpuSet.Empty, 0, sharedCpus, exclusiveCpus);
}
