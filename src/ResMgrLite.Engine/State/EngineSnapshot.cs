using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.TopologyManagement;

namespace ResMgrLite.Engine.State;

/// <summary>
/// Everything the engine must remember across a restart, as plain immutable data: the CPU
/// manager's pools and entries (the content of the kubelet's <c>cpu_manager_state</c>,
/// spec/resource-managers.md §3.12, with V3 pod entries) and the Topology Manager's stored pod
/// hints (pod scope, §2.5). The plugin persists it after every decision; see docs/state.md.
/// </summary>
/// <remarks>
/// Memory-manager blocks are not part of this version's snapshot: the plugin does not run the
/// Memory Manager yet, and a snapshot taken while it runs is refused by <see cref="ResourceEngine.Restore"/>
/// rather than silently dropping its state.
/// </remarks>
public sealed record EngineSnapshot
{
    /// <summary><c>static</c> when the CPU manager ran, <c>none</c> when CPU management was off (§3.11 policy-name rule).</summary>
    public required string CpuPolicy { get; init; }

    /// <summary>The reserved CPUs the state was built with (a change invalidates it, §3.11).</summary>
    public CpuSet ReservedCpus { get; init; }

    /// <summary>The node shared ("default") pool.</summary>
    public CpuSet DefaultCpus { get; init; }

    public IReadOnlyList<ContainerCpuSnapshot> Containers { get; init; } = [];

    public IReadOnlyList<PodCpuSnapshot> Pods { get; init; } = [];

    public IReadOnlyList<PodHintSnapshot> PodHints { get; init; } = [];
}

/// <summary>One container's CPU entry (<see cref="ContainerCpuEntry"/>).</summary>
public sealed record ContainerCpuSnapshot(
    string PodUid,
    string ContainerName,
    string ContainerId,
    CpuAssignmentKind Kind,
    bool Eligible,
    Model.ContainerRole Role,
    CpuSet Cpus);

/// <summary>One pod-level budget (<see cref="PodCpuEntry"/>, KEP-5526 §5.3).</summary>
public sealed record PodCpuSnapshot(string PodUid, CpuSet Bubble, CpuSet SidecarCpus, CpuSet SharedPool, int Containers);

/// <summary>A pod's merged Topology Manager hint (pod scope).</summary>
public sealed record PodHintSnapshot(string PodUid, ulong NumaMask, bool Preferred);
