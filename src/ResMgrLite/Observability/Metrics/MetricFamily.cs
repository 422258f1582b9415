namespace ResMgrLite.Observability.Metrics;

/// <summary>
/// A named metric with its help text, type and unit, and the series that carry its samples. The
/// name is the Prometheus 0.0.4 name; the OpenMetrics writer derives the family name from it
/// (counters lose their <c>_total</c>).
/// </summary>
internal abstract class MetricFamily
{
    protected MetricFamily(string name, string help, MetricType type, string? unit)
    {
        Name = name;
        Help = help;
        Type = type;
        Unit = unit;
    }

    public string Name { get; }

    public string Help { get; }

    public MetricType Type { get; }

    /// <summary>OpenMetrics unit (e.g. <c>seconds</c>, <c>bytes</c>); written only when the family name ends with it.</summary>
    public string? Unit { get; }

    /// <summary>Writes every series of the family (the writer has already written its metadata).</summary>
    public abstract void WriteSamples(ExpositionWriter writer);
}

/// <summary>
/// A family whose label sets are all known when it is made: every combination of the given label
/// values gets its series up front, so an update is an array index and never allocates.
/// </summary>
internal abstract class FixedSeriesFamily<TSeries> : MetricFamily
    where TSeries : class
{
    private readonly int[] _strides;

    protected FixedSeriesFamily(string name, string help, MetricType type, string? unit, string[] labelNames, string[][] labelValues, Func<TSeries> create)
        : base(name, help, type, unit)
    {
        if (labelNames.Length != labelValues.Length)
        {
            throw new ArgumentException($"{name}: {labelNames.Length} label names but {labelValues.Length} value lists");
        }
        LabelNames = labelNames;
        _strides = new int[labelNames.Length];
        int count = 1;
        for (int i = labelNames.Length - 1; i >= 0; i--)
        {
            _strides[i] = count;
            count *= labelValues[i].Length;
        }
        Series = new TSeries[count];
        SeriesLabels = new string[count][];
        for (int index = 0; index < count; index++)
        {
            Series[index] = create();
            var values = new string[labelNames.Length];
            for (int i = 0; i < labelNames.Length; i++)
            {
                values[i] = labelValues[i][index / _strides[i] % labelValues[i].Length];
            }
            SeriesLabels[index] = values;
        }
    }

    public string[] LabelNames { get; }

    protected TSeries[] Series { get; }

    protected string[][] SeriesLabels { get; }

    /// <summary>The only series of a family without labels.</summary>
    public TSeries Single => Series[0];

    /// <summary>The series for the value index of the first label.</summary>
    public TSeries this[int first] => Series[first * _strides[0]];

    /// <summary>The series for the value indexes of the first two labels.</summary>
    public TSeries this[int first, int second] => Series[(first * _strides[0]) + (second * _strides[1])];

    protected static string[][] NoLabelValues => [];
}

internal sealed class CounterFamily : FixedSeriesFamily<Counter>
{
    public CounterFamily(string name, string help, string[]? labelNames = null, string[][]? labelValues = null)
        : base(name, help, MetricType.Counter, null, labelNames ?? [], labelValues ?? NoLabelValues, static () => new Counter())
    {
    }

    public override void WriteSamples(ExpositionWriter writer)
    {
        for (int i = 0; i < Series.Length; i++)
        {
            writer.WriteSample(this, "", LabelNames, SeriesLabels[i], Series[i].Value);
        }
    }
}

internal sealed class GaugeFamily : FixedSeriesFamily<Gauge>
{
    public GaugeFamily(string name, string help, string? unit = null, string[]? labelNames = null, string[][]? labelValues = null)
        : base(name, help, MetricType.Gauge, unit, labelNames ?? [], labelValues ?? NoLabelValues, static () => new Gauge())
    {
    }

    public override void WriteSamples(ExpositionWriter writer)
    {
        for (int i = 0; i < Series.Length; i++)
        {
            writer.WriteSample(this, "", LabelNames, SeriesLabels[i], Series[i].Value);
        }
    }
}

internal sealed class HistogramFamily : FixedSeriesFamily<Histogram>
{
    public HistogramFamily(string name, string help, double[] upperBounds, string? unit = null, string[]? labelNames = null, string[][]? labelValues = null)
        : base(name, help, MetricType.Histogram, unit, labelNames ?? [], labelValues ?? NoLabelValues, () => new Histogram(upperBounds))
    {
    }

    public override void WriteSamples(ExpositionWriter writer)
    {
        for (int i = 0; i < Series.Length; i++)
        {
            writer.WriteHistogram(this, LabelNames, SeriesLabels[i], Series[i]);
        }
    }
}
