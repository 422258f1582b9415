namespace ResMgrLite.Config.Options;

/// <summary>
/// The configuration as bound by the configuration-binding source generator (AOT-safe): plain
/// strings, numbers and maps, named after the kubelet's KubeletConfiguration fields where one
/// exists. <see cref="ConfigLoader"/> validates it and turns it into <see cref="ResMgrSettings"/>.
/// Defaults here must match <see cref="Schema.ConfigSchema"/> (a test checks it).
/// </summary>
public sealed class ResMgrOptions
{
    public TopologyManagerOptions TopologyManager { get; set; } = new();

    public CpuManagerOptions CpuManager { get; set; } = new();

    public MemoryManagerOptions MemoryManager { get; set; } = new();

    public MemoryQosOptions MemoryQoS { get; set; } = new();

    public NodeAllocatableOptions NodeAllocatable { get; set; } = new();

    public FeatureGateOptions FeatureGates { get; set; } = new();

    public CgroupOptions Cgroup { get; set; } = new();

    public StateOptions State { get; set; } = new();

    public LogOptions Log { get; set; } = new();

    public MetricsOptions Metrics { get; set; } = new();

    public NrtOptions Nrt { get; set; } = new();

    public HookOptions Hooks { get; set; } = new();
}
