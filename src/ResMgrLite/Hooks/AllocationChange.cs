using ResMgrLite.Engine;

namespace ResMgrLite.Hooks;

/// <summary>
/// One allocation change as the hooks see it. The pools are always complete (every exclusive CPU of
/// the node, the whole shared pool), so a hook that only sees the newest of several changes still
/// knows the full state: hooks converge on a state, they do not replay a history.
/// </summary>
/// <param name="event">What happened.</param>
/// <param name="podNamespace">The pod's namespace; empty for events without a container.</param>
/// <param name="podName">The pod's name; empty for events without a container.</param>
/// <param name="podUid">The pod's uid; empty for events without a container.</param>
/// <param name="containerName">The container's name in the pod spec; empty for events without a container.</param>
/// <param name="containerId">The runtime's container id; empty for events without a container.</param>
/// <param name="containerCpus">The container's cpuset after the change (empty when released).</param>
/// <param name="containerNumaNodes">The container's memory nodes as a bit mask (bit n = node n; 0 = not restricted).</param>
/// <param name="sharedCpus">The shared pool after the change.</param>
/// <param name="exclusiveCpus">Every CPU held exclusively by some container after the change.</param>
/// <remarks>A class, not a record: the synthesized equality and printing would cost bytes nobody uses.</remarks>
internal sealed class AllocationChange(
    AllocationEvent @event,
    string podNamespace,
    string podName,
    string podUid,
    string containerName,
    string containerId,
    CpuSet containerCpus,
    ulong containerNumaNodes,
    CpuSet sharedCpus,
    CpuSet exclusiveCpus)
{
    public AllocationEvent Event { get; } = @event;

    public string PodNamespace { get; } = podNamespace;

    public string PodName { get; } = podName;

    public string PodUid { get; } = podUid;

    public string ContainerName { get; } = containerName;

    public string ContainerId { get; } = containerId;

    public CpuSet ContainerCpus { get; } = containerCpus;

    public ulong ContainerNumaNodes { get; } = containerNumaNodes;

    public CpuSet SharedCpus { get; } = sharedCpus;

    public CpuSet ExclusiveCpus { get; } = exclusiveCpus;

    /// <summary>A change of the pools alone (<see cref="AllocationEvent.SharedPoolChanged"/>, <see cref="AllocationEvent.Replay"/>).</summary>
    public static AllocationChange OfPools(AllocationEvent value, CpuSet sharedCpus, CpuSet exclusiveCpus) =>
        new(value, "", "", "", "", "", CpuSet.Empty, 0, sharedCpus, exclusiveCpus);
}
