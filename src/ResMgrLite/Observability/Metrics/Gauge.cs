namespace ResMgrLite.Observability.Metrics;

/// <summary>One value that goes up and down; lock-free, no allocation.</summary>
internal sealed class Gauge
{
    private double _value;

    public double Value => Volatile.Read(ref _value);

    public void Set(double value) => Volatile.Write(ref _value, value);
}
