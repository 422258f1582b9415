using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.TopologyManagement;

namespace ResMgrLite.Engine.State;

/// <summary>
/// Everything the engine must remember across a restart, as plain immutable data: the CPU
/// manager's pools and entries (the content of the kubelet's <c>cpu_manager_state</c>,
/// docs/kubelet-rules.md §3.12, with V3 pod entries) and the Topology Manager's stored pod
/// hints (pod scope, §2.5). The plugin persists it after every decision; see docs/state.md.
/// </summary>
internal sealed record EngineSnapshot
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

    /// <summary>The regular init containers' CPUs the pod being admitted may reuse (§3.9); null when none.</summary>
    public CpuReuseSnapshot? CpuReuse { get; init; }

    /// <summary>The Memory Manager's blocks; null when it was off (policy <c>None</c>).</summary>
    public MemorySnapshot? Memory { get; init; }

    /// <summary>The pods' memory requests behind the QoS-parent values; null when Memory QoS was off.</summary>
    public MemoryQosSnapshot? MemoryQos { get; init; }

    /// <summary>The last in-place resize of each pod that had one: the budget in force wins over the runtime's creation-time one.</summary>
    public IReadOnlyList<PodResizeSnapshot> Resizes { get; init; } = [];
}

/// <summary>One pod's last in-place resize (<see cref="Resize.PodResizeRecord"/>).</summary>
internal sealed record PodResizeSnapshot(string PodUid, Model.ContainerResources Desired, Model.ContainerResources InForce, Resize.ResizeOutcome Outcome, string Reason);

/// <summary>One container's CPU entry (<see cref="ContainerCpuEntry"/>).</summary>
internal sealed record ContainerCpuSnapshot(
    string PodUid,
    string ContainerName,
    string ContainerId,
    CpuAssignmentKind Kind,
    bool Eligible,
    Model.ContainerRole Role,
    CpuSet Cpus)
{
    // Methods, not properties: the checkpoint serializes every public property.

    /// <summary>The KEP-5526 isolation level of the entry (§5.7), for readers outside the engine.</summary>
    public PodLevel.ResourceIsolationLevel IsolationLevel() => StaticCpuPolicy.LevelOf(Kind);

    /// <summary>The CPUs the container runs on: its own, or the pool it shares (the node's default set, its pod's shared pool).</summary>
    public CpuSet RunsOn(EngineSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (Kind == CpuAssignmentKind.NodeShared)
        {
            return snapshot.DefaultCpus;
        }
        if (Kind == CpuAssignmentKind.PodShared)
        {
            foreach (PodCpuSnapshot pod in snapshot.Pods)
            {
                if (pod.PodUid == PodUid)
                {
                    return pod.SharedPool;
                }
            }
        }
        return Cpus;
    }

    /// <summary>The entry's kind in words (<c>resmgrlite state</c>).</summary>
    public string AssignmentName() => Kind switch
    {
        CpuAssignmentKind.NodeShared => "node shared pool",
        CpuAssignmentKind.Exclusive => "exclusive",
        CpuAssignmentKind.PodInitPool => "pod init pool",
        CpuAssignmentKind.PodShared => "pod shared pool",
        _ => "unknown",
    };
}

/// <summary>One pod-level budget (<see cref="PodCpuEntry"/>, KEP-5526 §5.3).</summary>
internal sealed record PodCpuSnapshot(string PodUid, CpuSet Bubble, CpuSet SidecarCpus, CpuSet SharedPool, int Containers);

/// <summary>Init-container CPU reuse (§3.9): only the pod being admitted has any.</summary>
internal sealed record CpuReuseSnapshot(string PodUid, CpuSet Cpus);

/// <summary>A pod's merged Topology Manager hint (pod scope).</summary>
internal sealed record PodHintSnapshot(string PodUid, ulong NumaMask, bool Preferred);

/// <summary>
/// The Memory Manager's blocks (the content of the kubelet's <c>memory_manager_state</c>,
/// docs/kubelet-rules.md §4.8, with V2 pod entries). The machine state itself is not stored:
/// it is recomputed from the blocks at restore and checked to fit (§4.7).
/// </summary>
internal sealed record MemorySnapshot
{
    public IReadOnlyList<ContainerMemorySnapshot> Containers { get; init; } = [];

    public IReadOnlyList<PodMemorySnapshot> Pods { get; init; } = [];

    /// <summary>The regular init containers' blocks the pod being admitted may reuse (§4.6); null when none.</summary>
    public MemoryReuseSnapshot? Reuse { get; init; }
}

/// <summary>One container's memory entry (<see cref="Memory.ContainerMemoryEntry"/>).</summary>
internal sealed record ContainerMemorySnapshot(
    string PodUid,
    string ContainerName,
    string ContainerId,
    Memory.MemoryAssignmentKind Kind,
    Model.ContainerRole Role,
    ulong NumaMask,
    Memory.MemoryAmounts Blocks,
    int Resources);

/// <summary>Init-container memory reuse (§4.6): per NUMA mask, the largest init blocks not yet used up.</summary>
internal sealed record MemoryReuseSnapshot(string PodUid, IReadOnlyList<MemoryReuseAmount> Amounts);

/// <summary>Reusable bytes per resource on one NUMA mask.</summary>
internal sealed record MemoryReuseAmount(ulong NumaMask, Memory.MemoryAmounts Amounts);

/// <summary>One pod-level memory budget (<see cref="Memory.PodMemoryEntry"/>, KEP-5526 §5.5).</summary>
internal sealed record PodMemorySnapshot(string PodUid, ulong NumaMask, Memory.MemoryAmounts Totals, Memory.MemoryAmounts SidecarMemory, Memory.MemoryAmounts AppExclusive, int Containers);

/// <summary>Memory QoS accounting (§6.5): what the kubepods and burstable parents protect, per pod.</summary>
internal sealed record MemoryQosSnapshot
{
    public IReadOnlyList<PodMemoryQosSnapshot> Pods { get; init; } = [];
}

/// <summary>One pod's memory request as the QoS parents count it.</summary>
internal sealed record PodMemoryQosSnapshot(string PodUid, Model.QosClass Qos, long RequestBytes);
