using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.MemoryQos;
using ResMgrLite.Engine.TopologyManagement;

namespace ResMgrLite.Config.Settings;

/// <summary>
/// The validated configuration with everything parsed. The resource managers' part is held in
/// the engine's own option records, filled by validation: the executable hands them to the engine
/// as they are, adding only what comes from the machine (memory per NUMA node, node allocatable).
/// Produced only when <see cref="ConfigLoader"/> found no problem.
/// </summary>
internal sealed record ResMgrSettings
{
    public TopologyManagerOptions TopologyManager { get; init; } = new();

    public CpuManagerPolicy CpuManagerPolicy { get; init; }

    /// <summary>
    /// The static policy's settings, for the engine when <see cref="CpuManagerPolicy"/> is static.
    /// <see cref="CpuManagerOptions.ReservedCpus"/> is the explicit <c>reservedSystemCPUs</c> (empty
    /// when the count comes from reservations); <see cref="CpuManagerOptions.ReservedCpuCount"/> is
    /// R of docs/kubelet-rules.md §3.1.
    /// </summary>
    public CpuManagerOptions CpuManager { get; init; } = new() { ReservedCpuCount = 0, PodLevelResourceManagers = false };

    public TimeSpan CpuManagerReconcilePeriod { get; init; } = TimeSpan.FromSeconds(10);

    public MemoryManagerPolicy MemoryManagerPolicy { get; init; }

    /// <summary>
    /// The Static policy's settings (reservedMemory per NUMA node), for the engine when
    /// <see cref="MemoryManagerPolicy"/> is Static; <see cref="MemoryManagerOptions.Nodes"/> is
    /// left empty here and filled from the machine at start.
    /// </summary>
    public MemoryManagerOptions MemoryManager { get; init; } = new() { Nodes = [], PodLevelResourceManagers = false };

    public bool MemoryQosEnabled { get; init; }

    /// <summary>
    /// Memory QoS settings, for the engine when <see cref="MemoryQosEnabled"/>;
    /// <see cref="MemoryQosOptions.NodeAllocatableMemoryBytes"/> is filled from the machine at start
    /// (capacity − <see cref="NodeReservedMemoryBytes"/>).
    /// </summary>
    public MemoryQosOptions MemoryQos { get; init; } = new();

    /// <summary>systemReserved: resource → amount (cpu in millicores, everything else in whole units/bytes).</summary>
    public IReadOnlyDictionary<string, long> SystemReserved { get; init; } = new Dictionary<string, long>();

    /// <summary>kubeReserved, in the same units as <see cref="SystemReserved"/>.</summary>
    public IReadOnlyDictionary<string, long> KubeReserved { get; init; } = new Dictionary<string, long>();

    /// <summary>evictionHard memory.available in bytes (a percentage is resolved against machine memory when known).</summary>
    public long EvictionHardMemoryBytes { get; init; } = 100L << 20;

    public bool PodLevelResources { get; init; } = true;

    public bool PodLevelResourceManagers { get; init; }

    public string CgroupMountPath { get; init; } = "/sys/fs/cgroup";

    public string CgroupRoot { get; init; } = "/";

    public CgroupDriver CgroupDriver { get; init; }

    public string StateDirectory { get; init; } = "/var/lib/resmgrlite";

    /// <summary><c>file</c>, <c>stderr</c>, <c>stdout</c>, <c>journal</c>; an absolute path in the configuration becomes <c>file</c> with <see cref="LogFile"/> set to it.</summary>
    public string LogTarget { get; init; } = "file";

    public string LogFile { get; init; } = "/var/log/resmgrlite.log";

    public LogFormat LogFormat { get; init; }

    /// <summary>Rotation size of the log file in bytes; 0 never rotates.</summary>
    public long LogMaxSizeBytes { get; init; } = 10L << 20;

    public LogLevel LogLevel { get; init; } = LogLevel.Info;

    public string MetricsListenAddress { get; init; } = "";

    public string MetricsTextfile { get; init; } = "";

    public string NrtFile { get; init; } = "";

    public string NrtNodeName { get; init; } = "";

    public string HooksDirectory { get; init; } = "";

    public TimeSpan HooksTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// kubeReserved + systemReserved + evictionHard memory.available: what node allocatable
    /// keeps back from memory (docs/kubelet-rules.md §4.1 and §6.3).
    /// </summary>
    public long NodeReservedMemoryBytes =>
        KubeReserved.GetValueOrDefault("memory") + SystemReserved.GetValueOrDefault("memory") + EvictionHardMemoryBytes;
}
