using ResMgrLite.Engine;

namespace ResMgrLite.Config.Settings;

/// <summary>
/// The validated configuration with everything parsed: enums, CPU sets, bytes, millicores,
/// durations. Produced only when <see cref="ConfigLoader"/> found no problem.
/// </summary>
public sealed record ResMgrSettings
{
    public TopologyManagerPolicy TopologyManagerPolicy { get; init; }

    public TopologyManagerScope TopologyManagerScope { get; init; }

    public bool PreferClosestNumaNodes { get; init; }

    public int MaxAllowableNumaNodes { get; init; } = 8;

    public CpuManagerPolicy CpuManagerPolicy { get; init; }

    /// <summary>The explicit <c>reservedSystemCPUs</c>; empty when the count comes from reservations.</summary>
    public CpuSet ReservedSystemCpus { get; init; }

    /// <summary>R of spec §3.1: size of <see cref="ReservedSystemCpus"/>, else ceil(reserved cpu millicores / 1000).</summary>
    public int ReservedCpuCount { get; init; }

    public CpuManagerPolicyOptionFlags CpuManagerPolicyOptions { get; init; }

    public TimeSpan CpuManagerReconcilePeriod { get; init; } = TimeSpan.FromSeconds(10);

    public MemoryManagerPolicy MemoryManagerPolicy { get; init; }

    public IReadOnlyList<ReservedMemoryNode> ReservedMemory { get; init; } = [];

    public bool MemoryQosEnabled { get; init; }

    public MemoryReservationPolicy MemoryReservationPolicy { get; init; }

    public double MemoryThrottlingFactor { get; init; } = 0.9;

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
    /// keeps back from memory (spec §4.1 and §6.3).
    /// </summary>
    public long NodeReservedMemoryBytes =>
        KubeReserved.GetValueOrDefault("memory") + SystemReserved.GetValueOrDefault("memory") + EvictionHardMemoryBytes;
}
