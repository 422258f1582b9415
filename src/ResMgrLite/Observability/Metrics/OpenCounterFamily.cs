namespace ResMgrLite.Observability.Metrics;

/// <summary>
/// A counter family whose label values are learned at run time (e.g. hook names from a directory).
/// A new label set allocates its series once, under a lock; later increments of it do not. At most
/// <see cref="MaxSeries"/> label sets are kept, so a runaway label cannot grow memory: further ones
/// are counted under the value <see cref="OverflowValue"/> of the first label.
/// </summary>
internal sealed class OpenCounterFamily : MetricFamily
{
    public const int MaxSeries = 64;
    public const string OverflowValue = "other";

    private readonly string[] _labelNames;
    private readonly Lock _lock = new();
    private (string[] Labels, Counter Counter)[] _series = [];

    public OpenCounterFamily(string name, string help, string[] labelNames)
        : base(name, help, MetricType.Counter, null)
    {
        _labelNames = labelNames;
    }

    public void Increment(string first, string second) => Find(first, second).Increment();

    public long ValueOf(string first, string second)
    {
        foreach ((string[] labels, Counter counter) in Volatile.Read(ref _series))
        {
            if (labels[0] == first && labels[1] == second)
            {
                return counter.Value;
            }
        }
        return 0;
    }

    private Counter Find(string first, string second)
    {
        foreach ((string[] labels, Counter counter) in Volatile.Read(ref _series))
        {
            if (labels[0] == first && labels[1] == second)
            {
                return counter;
            }
        }
        lock (_lock)
        {
            (string[] Labels, Counter Counter)[] current = _series;
            foreach ((string[] labels, Counter counter) in current)
            {
                if (labels[0] == first && labels[1] == second)
                {
                    return counter;
                }
            }
            if (current.Length >= MaxSeries - 1 && first != OverflowValue)
            {
                return Find(OverflowValue, second);
            }
            var added = new Counter();
            Volatile.Write(ref _series, [.. current, ([first, second], added)]);
            return added;
        }
    }

    public override void WriteSamples(ExpositionWriter writer)
    {
        foreach ((string[] labels, Counter counter) in Volatile.Read(ref _series))
        {
            writer.WriteSample(this, "", _labelNames, labels, counter.Value);
        }
    }
}
