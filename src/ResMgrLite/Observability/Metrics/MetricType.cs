namespace ResMgrLite.Observability.Metrics;

/// <summary>The metric types the exposition writer knows (Prometheus text 0.0.4 and OpenMetrics 1.0).</summary>
internal enum MetricType
{
    Counter,
    Gauge,
    Histogram,
}
