using ResMgrLite.Engine.PodLevel;

namespace ResMgrLite.Engine.Cpu;

/// <summary>What a container's CPU entry holds.</summary>
internal enum CpuAssignmentKind : byte
{
    /// <summary>No entry of its own: the node shared (default) pool.</summary>
    NodeShared,

    /// <summary>Exclusive CPUs (from the node pool, or a slice of a pod budget).</summary>
    Exclusive,

    /// <summary>A non-eligible regular init container of a pod budget: the budget minus earlier sidecars (docs/kubelet-rules.md §5.3 step 6).</summary>
    PodInitPool,

    /// <summary>A non-eligible container of a pod budget: the pod shared pool, which shrinks as slices are carved.</summary>
    PodShared,
}

/// <summary>One container's CPU entry.</summary>
internal struct ContainerCpuEntry
{
    public CpuAssignmentKind Kind;

    /// <summary>Eligible for exclusive CPUs (it holds them exactly when its kind is <see cref="CpuAssignmentKind.Exclusive"/>).</summary>
    public bool Eligible;

    /// <summary>Init-container role, for init reuse (§3.9).</summary>
    public Model.ContainerRole Role;

    /// <summary>The runtime's container id that currently owns the entry (a restart replaces it).</summary>
    public string ContainerId;

    /// <summary>The CPUs for <see cref="CpuAssignmentKind.Exclusive"/> and <see cref="CpuAssignmentKind.PodInitPool"/>.</summary>
    public CpuSet Cpus;
}

/// <summary>A pod-level budget ("bubble", KEP-5526 §5.3).</summary>
internal struct PodCpuEntry
{
    public CpuSet Bubble;

    /// <summary>CPUs pinned by eligible sidecars so far.</summary>
    public CpuSet SidecarCpus;

    /// <summary>Bubble minus sidecar slices minus app slices: what PodShared members run on.</summary>
    public CpuSet SharedPool;

    public int Containers;
}

/// <summary>How the CPU manager decided one admission (the container's cpuset is in the engine's <see cref="ContainerSettings"/>).</summary>
internal struct CpuDecision
{
    /// <summary>The container's cpuset (never empty on success).</summary>
    public CpuSet Cpus;

    public ResourceIsolationLevel Level;

    /// <summary>Some container of the pod holds exclusive CPUs: the pod cgroup's quota goes (<see cref="CpuQuotaRule"/>).</summary>
    public bool PodHasExclusive;

    /// <summary>The node shared pool changed: every NodeShared container needs the new set.</summary>
    public bool NodeSharedPoolChanged;

    /// <summary>The pod's shared pool changed: its PodShared members need the new set.</summary>
    public bool PodSharedPoolChanged;

    /// <summary>CPUs of the pod budget that no container uses yet (KEP-5526 under-utilisation; 0 when none).</summary>
    public int UnusedPodBudgetCpus;

    /// <summary>The NUMA affinity the Topology Manager chose (0 = any).</summary>
    public ulong NumaAffinity;
}

/// <summary>What <see cref="StaticCpuPolicy.TryPlan"/> decided.</summary>
internal enum CpuPlanKind : byte
{
    /// <summary>The container already holds an entry (a retried or restarted container keeps it, §3.3 step 4).</summary>
    Existing,

    /// <summary>No exclusive CPUs: the node shared pool.</summary>
    NodeShared,

    /// <summary>Exclusive CPUs from the node pool (§3.3).</summary>
    Exclusive,

    /// <summary>A share of the pod's budget (§5.3); a new budget is taken from the node pool first.</summary>
    PodBudget,
}

/// <summary>A planned CPU admission: apply it with <see cref="StaticCpuPolicy.Commit"/>, with no other change in between.</summary>
internal struct CpuPlan
{
    public CpuPlanKind Kind;

    /// <summary>Exclusive: the CPUs taken; pod budget: the slice or the init pool.</summary>
    public CpuSet Cpus;

    /// <summary>Pod budget: the new budget taken from the node pool (empty when the pod has one).</summary>
    public CpuSet NewBudget;

    /// <summary>Pod budget: which part of the budget the container draws from.</summary>
    public PodBudgetShare Share;
}
