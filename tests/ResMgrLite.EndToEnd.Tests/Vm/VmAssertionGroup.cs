namespace ResMgrLite.EndToEnd.Tests.Vm;

/// <summary>
/// The VM scenario's assertions, in groups that can be switched on one by one as the plugin's
/// features land (<see cref="VmAssertionGroups"/>). The first groups check the infrastructure
/// and what runc and containerd do on their own; they hold today and are always on.
/// </summary>
internal enum VmAssertionGroup
{
    /// <summary>Two NUMA nodes (CPUs 0-3 and 4-7) and SMT sibling pairs, as qemu was told.</summary>
    GuestTopology,

    /// <summary>Only cgroup2 mounted; cpuset, cpu, io, memory and pids controllers delegated.</summary>
    CgroupV2,

    /// <summary>runc writes the CRI-requested memory.max, cpu.max and cpu.weight per QoS class.</summary>
    CriResources,

    /// <summary>UpdateContainerResources with cpuset cpus/mems and unified memory.min/low/high reaches the files.</summary>
    CriUpdate,

    /// <summary>Removed containers leave no cgroup behind.</summary>
    Teardown,

    /// <summary>The guest powers off cleanly and qemu exits with 0.</summary>
    PowerOff,

    /// <summary>The pre-launched plugin registered: it runs and containerd (which exits otherwise) is alive.</summary>
    PluginRegistered,


    /// <summary>single-numa-node + static CPU + Static memory: Guaranteed containers get one node's CPUs (a whole core) and that node's memory.</summary>
    NumaAlignment,

    /// <summary>Memory QoS (TieredReservation, factor 0.9) on container cgroups: docs/kubelet-rules.md §6.2, §6.3.</summary>
    MemoryQos,

    /// <summary>
    /// Memory QoS of a Burstable container with 0 &lt; request &lt; limit: memory.low and the
    /// memory.high formula need the memory request, which CRI and NRI 0.6.1 never carry to the
    /// plugin (spec/testbed-facts.md); on only once the plugin has a source for it.
    /// </summary>
    MemoryQosBurstable,

    /// <summary>Memory QoS on pod and QoS-class cgroups: docs/kubelet-rules.md §6.4, §6.5.</summary>
    ParentAggregation,

    /// <summary>Shared-pool containers follow exclusive allocations and releases (Appendix A, "Shared-pool updates").</summary>
    SharedPool,
}
