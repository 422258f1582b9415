using ResMgrLite.Config.Settings;
using ResMgrLite.Engine;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Nri;
using ResMgrLite.Observability.Endpoint;
using ResMgrLite.Observability.Metrics;
using ResMgrLite.Observability.Nrt;
using ResMgrLite.Plugin;

namespace ResMgrLite.Observability;

/// <summary>
/// What the plugin shows an operator besides its log: the metrics (<see cref="Metrics"/>), their
/// endpoint (<c>metrics.listenAddress</c>) and textfile (<c>metrics.textfile</c>), and the
/// NodeResourceTopology file (<c>nrt.file</c>). Started by the first valid configuration — also when
/// resource management then stays off, which is when an operator needs the metrics most. These keys
/// are read at start only: a later configuration that changes them is refused by the reload rules.
/// Failures (port in use, unwritable file) are logged once and never stop the NRI plugin.
/// </summary>
internal sealed class PluginObservability : IAllocationObserver, IAsyncDisposable
{
    private readonly IProtocolLog _log;
    private bool _started;
    private MetricsEndpoint? _endpoint;
    private MetricsTextfile? _textfile;
    private IReadOnlyList<NumaMemoryInfo> _memoryNodes = [];
    private IReadOnlyList<Engine.Memory.ReservedMemoryNode> _reservedMemory = [];

    public PluginObservability(IProtocolLog log, PluginMetrics? metrics = null)
    {
        _log = log;
        Metrics = metrics ?? new PluginMetrics(Version, new ProcessMetrics());
    }

    /// <summary>The plugin's version as <c>--version</c> prints it.</summary>
    public static string Version { get; } = typeof(PluginObservability).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public PluginMetrics Metrics { get; }

    /// <summary>Where the endpoint listens, once started.</summary>
    public System.Net.EndPoint? MetricsEndPoint => _endpoint?.LocalEndPoint;

    /// <summary>The NodeResourceTopology file writer; null when <c>nrt.file</c> is empty.</summary>
    public NrtWriter? Nrt { get; private set; }

    /// <summary>The node name in the NodeResourceTopology document (<c>nrt.nodeName</c>, else the host name).</summary>
    public string NrtNodeName { get; private set; } = HostName();

    /// <summary>Starts what the settings ask for; only the first call acts (the keys need a restart).</summary>
    /// <param name="memoryNodes">Memory per NUMA node of this machine (NodeResourceTopology capacity).</param>
    public void Apply(ResMgrSettings settings, IReadOnlyList<NumaMemoryInfo> memoryNodes)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (_started)
        {
            return;
        }
        _started = true;
        _memoryNodes = memoryNodes;
        _reservedMemory = NrtDocument.ReservedMemory(settings);
        if (settings.MetricsListenAddress.Length > 0)
        {
            _endpoint = MetricsEndpoint.TryStart(settings.MetricsListenAddress, (format, text) => Metrics.Registry.RenderInto(text, format), Warn, out string? error);
            _log.Write(_endpoint is null ? ProtocolLogLevel.Error : ProtocolLogLevel.Info, _endpoint is null
                ? $"metrics: {error}; the metrics endpoint is off, the plugin goes on serving NRI"
                : $"metrics: serving GET /metrics and /healthz on {Describe(_endpoint.LocalEndPoint)}");
        }
        if (settings.MetricsTextfile.Length > 0)
        {
            var process = new HashSet<MetricFamily>();
            foreach (MetricFamily family in Metrics.Registry.Families)
            {
                if (family.Name.StartsWith("process_", StringComparison.Ordinal))
                {
                    process.Add(family);
                }
            }
            _textfile = new MetricsTextfile(settings.MetricsTextfile, Metrics.Registry, process, Warn);
            _log.Write(ProtocolLogLevel.Info, $"metrics: written to {settings.MetricsTextfile} every {MetricsTextfile.Period.TotalSeconds:0} s for node_exporter's textfile collector");
        }
        if (settings.NrtNodeName.Length > 0)
        {
            NrtNodeName = settings.NrtNodeName;
        }
        if (settings.NrtFile.Length > 0)
        {
            Nrt = new NrtWriter(settings.NrtFile, Warn);
            _log.Write(ProtocolLogLevel.Info, $"NodeResourceTopology of node {NrtNodeName}: kept up to date in {settings.NrtFile}");
        }
    }

    /// <summary>
    /// Resource management has started: admissions feed the resource-manager counters, state file
    /// writes their counter and histogram, every acknowledged allocation change the pool gauges and
    /// the NodeResourceTopology file (<see cref="AllocationFeed"/>); the gauges start from the
    /// engine's first (possibly restored) state.
    /// </summary>
    public void Attach(ResourceManagement management)
    {
        ArgumentNullException.ThrowIfNull(management);
        management.Admissions = new AdmissionMetrics(Metrics);
        management.State.Written = (elapsed, succeeded) => Metrics.OnStateSave(elapsed.TotalSeconds, succeeded);
        management.Allocations.Subscribe(this);
        Refresh(management.Engine);
    }

    public void OnAllocationChanged(in AllocationChange change, ResourceEngine engine)
    {
        if (change.Kind == AllocationChangeKind.PodResized)
        {
            Metrics.OnResizeDecision(change.ResizeOutcome);
        }
        Refresh(engine);
    }

    /// <summary>
    /// Under the handler's lock: the gauges the kubelet keeps (CPU pools, Memory QoS node totals),
    /// and the NodeResourceTopology document queued for <c>nrt.file</c> (built here, written off the
    /// caller's thread).
    /// </summary>
    internal void Refresh(ResourceEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        if (engine.Cpu is { } cpu)
        {
            // As the kubelet: the shared pool is the default set without the reserved CPUs; the
            // exclusive count is every CPU taken out of the default set (containers and pod budgets).
            Metrics.SetCpuPools(cpu.AvailableForExclusive.Count, engine.Topology.AllCpus.Except(cpu.DefaultSet).Except(cpu.Reserved).Count);
        }
        if (engine.MemoryQosAccounting is { } qos)
        {
            Metrics.SetMemoryQos(qos.MetricNodeMemoryMinBytes, qos.MetricNodeMemoryLowBytes);
        }
        Nrt?.Write(NrtDocument.Build(NrtNodeName, engine, _memoryNodes, _reservedMemory));
    }

    private void Warn(string message) => _log.Write(ProtocolLogLevel.Warning, message);

    private static string Describe(System.Net.EndPoint endPoint) =>
        endPoint is System.Net.Sockets.UnixDomainSocketEndPoint unix ? $"unix:{unix}" : $"http://{endPoint}";

    /// <summary>The host name, lower-cased as Kubernetes node names are.</summary>
    internal static string HostName()
    {
        try
        {
            return Environment.MachineName.ToLowerInvariant();
        }
        catch (InvalidOperationException)
        {
            return "localhost";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_endpoint is not null)
        {
            await _endpoint.DisposeAsync().ConfigureAwait(false);
        }
        _textfile?.Dispose();
        Nrt?.Flush();
    }
}
