namespace ResMgrLite.Observability.Metrics;

/// <summary>One monotonically increasing count; lock-free, no allocation.</summary>
internal sealed class Counter
{
    private long _value;

    public long Value => Volatile.Read(ref _value);

    public void Increment() => Interlocked.Increment(ref _value);

    public void Add(long amount)
    {
        if (amount > 0)
        {
            Interlocked.Add(ref _value, amount);
        }
    }
}
