namespace ResMgrLite.Engine.Cpu;

/// <summary>The §5.7 ResourceIsolationLevel of a container.</summary>
public enum CpuIsolationLevel
{
    /// <summary>No CPU assignment: runs on the node shared pool with normal quota.</summary>
    Host,

    /// <summary>Member of a pod-level budget's shared pool: keeps its own quota.</summary>
    Pod,

    /// <summary>Exclusive CPUs: CFS quota off for the container and its pod cgroup.</summary>
    Container,
}

/// <summary>What a container's CPU entry holds.</summary>
public enum CpuAssignmentKind : byte
{
    /// <summary>No entry of its own: the node shared (default) pool.</summary>
    NodeShared,

    /// <summary>Exclusive CPUs (from the node pool, or a slice of a pod budget).</summary>
    Exclusive,

    /// <summary>A non-eligible regular init container of a pod budget: the budget minus earlier sidecars (§5.3 step 6).</summary>
    PodInitPool,

    /// <summary>A non-eligible container of a pod budget: the pod shared pool, which shrinks as slices are carved.</summary>
    PodShared,
}

/// <summary>Identifies a container by pod UID and container name, as the kubelet's state does.</summary>
public readonly record struct ContainerKey(string PodUid, string Name);

/// <summary>One container's CPU entry.</summary>
public struct ContainerCpuEntry
{
    public CpuAssignmentKind Kind;

    /// <summary>Eligible for exclusive CPUs (decides the §5.7 level).</summary>
    public bool Eligible;

    /// <summary>Init-container role, for init reuse (§3.9).</summary>
    public Model.ContainerRole Role;

    /// <summary>The runtime's container id that currently owns the entry (a restart replaces it).</summary>
    public string ContainerId;

    /// <summary>The CPUs for <see cref="CpuAssignmentKind.Exclusive"/> and <see cref="CpuAssignmentKind.PodInitPool"/>.</summary>
    public CpuSet Cpus;
}

/// <summary>A pod-level budget ("bubble", KEP-5526 §5.3).</summary>
public struct PodCpuEntry
{
    public CpuSet Bubble;

    /// <summary>CPUs pinned by eligible sidecars so far.</summary>
    public CpuSet SidecarCpus;

    /// <summary>Bubble minus sidecar slices minus app slices: what PodShared members run on.</summary>
    public CpuSet SharedPool;

    public int Containers;
}

/// <summary>The result of a CPU admission, for the adjustment builder.</summary>
public struct CpuDecision
{
    /// <summary>The container's cpuset (never empty on success).</summary>
    public CpuSet Cpus;

    public CpuIsolationLevel Level;

    /// <summary>The pod cgroup's quota must be off: some container of the pod is exclusive (§5.7).</summary>
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
