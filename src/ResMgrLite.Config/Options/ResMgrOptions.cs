namespace ResMgrLite.Config.Options;

/// <summary>
/// The configuration file's shape, bound by the configuration-binding source generator (AOT-safe,
/// no reflection): the values as written (strings, numbers, maps), so that validation can say
/// which text at which file:line:column is wrong. Keys are named after the kubelet's
/// KubeletConfiguration fields where one exists. <see cref="ConfigLoader"/> validates it into
/// <see cref="Settings.ResMgrSettings"/>, whose resource-manager part is the engine's own option
/// records; a <c>…Section</c> type is the written form of one of those records, not a second
/// vocabulary. Defaults here must match <see cref="Schema.ConfigSchema"/> (a test checks it).
/// </summary>
internal sealed class ResMgrOptions
{
    public TopologyManagerSection TopologyManager { get; set; } = new();

    public CpuManagerSection CpuManager { get; set; } = new();

    public MemoryManagerSection MemoryManager { get; set; } = new();

    public MemoryQosSection MemoryQoS { get; set; } = new();

    public NodeAllocatableOptions NodeAllocatable { get; set; } = new();

    public FeatureGateOptions FeatureGates { get; set; } = new();

    public CgroupOptions Cgroup { get; set; } = new();

    public StateOptions State { get; set; } = new();

    public LogOptions Log { get; set; } = new();

    public MetricsOptions Metrics { get; set; } = new();

    public NrtOptions Nrt { get; set; } = new();

    public HookOptions Hooks { get; set; } = new();
}
