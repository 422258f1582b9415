using System.Text;
using ResMgrLite.Observability.Metrics;

namespace ResMgrLite.Observability;

/// <summary>
/// <c>metrics.textfile</c>: the exposition written to a file for node_exporter's textfile collector,
/// for nodes that want no listener. Written every <see cref="Period"/> and once more at stop, each
/// time to <c>FILE.tmp</c> and renamed over <c>FILE</c>, so the collector never reads half a file.
/// Prometheus text 0.0.4 (what the collector parses), without the <c>process_*</c> families, which
/// would collide with node_exporter's own.
/// </summary>
internal sealed class MetricsTextfile : IDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(15);

    private readonly ReplacedFile _file;
    private readonly MetricsRegistry _registry;
    private readonly HashSet<MetricFamily> _excluded;
    private readonly Timer _timer;
    private readonly Lock _lock = new();
    private bool _disposed;

    public MetricsTextfile(string path, MetricsRegistry registry, IEnumerable<MetricFamily> excluded, Action<string> log, TimeSpan? period = null)
    {
        _file = new ReplacedFile(path, "metrics textfile", log);
        _registry = registry;
        _excluded = [.. excluded];
        _timer = new Timer(_ => Write(), null, TimeSpan.Zero, period ?? Period);
    }

    public string Path => _file.Path;

    /// <summary>Writes the file now; a failure is logged once until a write succeeds again.</summary>
    public void Write()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            string text = _registry.Render(ExpositionFormat.Prometheus, family => !_excluded.Contains(family));
            _file.Replace(Encoding.UTF8.GetBytes(text), $" (retrying every {(int)Period.TotalSeconds} s)");
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        Write();
        lock (_lock)
        {
            _disposed = true;
        }
    }
}
