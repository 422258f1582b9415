namespace ResMgrLite.Simulate;

// What `resmgrlite simulate` found, as `--json` prints it (docs/simulate.md describes every field);
// the text output is written from the same objects (SimulationJson writes the JSON, field by field in
// the order declared here). Byte amounts are numbers of bytes, CPU and NUMA
// node lists kernel cpulists ("0-3,8"); a field that does not apply is null.

internal sealed class SimulationReport
{
    public required MachineSummary Machine { get; init; }

    public required ManagerSummary Managers { get; init; }

    public required List<PodOutcome> Pods { get; init; }

    /// <summary>The node shared pool after every pod; null when the CPU manager is off.</summary>
    public string? SharedPool { get; init; }

    public string? ReservedCpus { get; init; }

    /// <summary>The QoS-class cgroups; null when Memory QoS is off.</summary>
    public QosParentOutcome? MemoryQos { get; init; }
}

internal sealed class MachineSummary
{
    /// <summary>sysfs or captured (a <c>resmgrlite topology --json</c> document).</summary>
    public required string Source { get; init; }

    public required int Sockets { get; init; }

    public required int NumaNodes { get; init; }

    public required int Cpus { get; init; }

    /// <summary>unified, hybrid, legacy, none or unknown.</summary>
    public required string Cgroups { get; init; }
}

internal sealed class ManagerSummary
{
    /// <summary>none, best-effort, restricted or single-numa-node.</summary>
    public required string TopologyManagerPolicy { get; init; }

    /// <summary>container or pod.</summary>
    public required string TopologyManagerScope { get; init; }

    /// <summary>none or static.</summary>
    public required string CpuManagerPolicy { get; init; }

    /// <summary>None or Static.</summary>
    public required string MemoryManagerPolicy { get; init; }

    /// <summary>off, None or TieredReservation.</summary>
    public required string MemoryQos { get; init; }

    /// <summary>Why Memory QoS is off although configured; null otherwise.</summary>
    public string? MemoryQosOffReason { get; init; }

    /// <summary>KEP-5526 pod-level resource managers (both feature gates on).</summary>
    public required bool PodLevelResourceManagers { get; init; }
}

internal sealed class PodOutcome
{
    public required string Namespace { get; init; }

    public required string Name { get; init; }

    public required string Uid { get; init; }

    /// <summary>Guaranteed, Burstable or BestEffort.</summary>
    public required string Qos { get; init; }

    /// <summary>False when the pod opted out (resmgrlite.io/opt-out): nothing is adjusted or accounted.</summary>
    public required bool Managed { get; init; }

    /// <summary>Annotations a node needs for the plugin to see this pod as declared, and similar advice.</summary>
    public required List<string> Notes { get; init; }

    /// <summary>The pod-level budget as placed; null without one (or when no manager placed it).</summary>
    public PodBudgetOutcome? Budget { get; init; }

    /// <summary>The pod cgroup's memory.min / memory.low; null when Memory QoS is off.</summary>
    public MemoryQosOutcome? MemoryQos { get; init; }

    public required List<ContainerOutcome> Containers { get; init; }
}

internal sealed class PodBudgetOutcome
{
    /// <summary>The budget's CPUs; null when the CPU manager holds none for the pod.</summary>
    public string? Cpus { get; init; }

    /// <summary>The pod shared pool: budget CPUs not pinned by a container.</summary>
    public string? SharedPool { get; init; }

    /// <summary>NUMA nodes of the memory budget; null when the memory manager holds none.</summary>
    public string? MemoryNodes { get; init; }

    public long? MemoryBytes { get; init; }
}

internal sealed class ContainerOutcome
{
    public required string Name { get; init; }

    /// <summary>app, init or sidecar.</summary>
    public required string Role { get; init; }

    /// <summary>admitted, refused or not-managed.</summary>
    public required string Outcome { get; init; }

    /// <summary>Why the plugin would fail CreateContainer; null unless refused.</summary>
    public string? Refusal { get; init; }

    /// <summary>cpuset.cpus after every pod; null when the CPU manager does not decide it.</summary>
    public string? Cpus { get; init; }

    /// <summary>host (node shared pool), pod (a pod budget's shared or init pool) or container (exclusive).</summary>
    public string? Isolation { get; init; }

    public bool QuotaLifted { get; init; }

    /// <summary>The NUMA nodes of <see cref="Cpus"/>.</summary>
    public string? CpuNumaNodes { get; init; }

    /// <summary>cpuset.mems; null when the memory manager leaves it to the runtime (all nodes).</summary>
    public string? Mems { get; init; }

    /// <summary>The memory manager's blocks; null when it holds none for the container.</summary>
    public MemoryBlocksOutcome? MemoryBlocks { get; init; }

    /// <summary>The container cgroup's Memory QoS files; null when Memory QoS is off.</summary>
    public MemoryQosOutcome? MemoryQos { get; init; }
}

internal sealed class MemoryBlocksOutcome
{
    /// <summary>exclusive (its own requests), pod-init-pool or pod-shared (parts of a pod budget).</summary>
    public required string Kind { get; init; }

    public required string Nodes { get; init; }

    public required long Memory { get; init; }

    public required long Hugepages2Mi { get; init; }

    public required long Hugepages1Gi { get; init; }
}

internal sealed class MemoryQosOutcome
{
    public long? Min { get; init; }

    public long? Low { get; init; }

    public long? High { get; init; }

    public long? Max { get; init; }
}

internal sealed class QosParentOutcome
{
    /// <summary>None or TieredReservation.</summary>
    public required string ReservationPolicy { get; init; }

    /// <summary>memory.min of the kubepods root: Σ requests of Guaranteed and Burstable pods.</summary>
    public required long KubepodsMemoryMin { get; init; }

    /// <summary>memory.low of kubepods/burstable: Σ requests of Burstable pods.</summary>
    public required long BurstableMemoryLow { get; init; }
}
