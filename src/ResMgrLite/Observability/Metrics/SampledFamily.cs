namespace ResMgrLite.Observability.Metrics;

/// <summary>
/// One unlabelled value read at scrape time from outside the process's own counters (e.g. /proc);
/// nothing is written while the value is unknown.
/// </summary>
internal sealed class SampledFamily : MetricFamily
{
    private double _value = double.NaN;

    public SampledFamily(string name, string help, MetricType type, string? unit = null)
        : base(name, help, type, unit)
    {
    }

    public double Value => Volatile.Read(ref _value);

    /// <summary>Sets the value; NaN means unknown.</summary>
    public void Set(double value) => Volatile.Write(ref _value, value);

    public override void WriteSamples(ExpositionWriter writer)
    {
        double value = Volatile.Read(ref _value);
        if (!double.IsNaN(value))
        {
            writer.WriteSample(this, "", [], [], value);
        }
    }
}
