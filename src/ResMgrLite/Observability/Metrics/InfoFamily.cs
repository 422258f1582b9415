namespace ResMgrLite.Observability.Metrics;

/// <summary>
/// A gauge that is always 1 and carries facts in its labels (the <c>*_build_info</c> idiom). The
/// label values may change (e.g. when the runtime is known); each change swaps one array.
/// </summary>
internal sealed class InfoFamily : MetricFamily
{
    private readonly string[] _labelNames;
    private string[] _values;

    public InfoFamily(string name, string help, string[] labelNames, string[] initialValues)
        : base(name, help, MetricType.Gauge, null)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(initialValues.Length, labelNames.Length);
        _labelNames = labelNames;
        _values = initialValues;
    }

    public IReadOnlyList<string> Values => Volatile.Read(ref _values);

    public void Set(string[] values)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(values.Length, _labelNames.Length);
        Volatile.Write(ref _values, values);
    }

    public override void WriteSamples(ExpositionWriter writer) =>
        writer.WriteSample(this, "", _labelNames, Volatile.Read(ref _values), 1);
}
