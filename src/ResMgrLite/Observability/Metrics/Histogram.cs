namespace ResMgrLite.Observability.Metrics;

/// <summary>
/// Observations counted into fixed buckets (upper bounds, ascending; +Inf is implicit), with their
/// sum. Lock-free: each bucket is its own counter, the sum is updated by compare-and-swap. A scrape
/// that races an observation may see the count one ahead of the sum, which Prometheus tolerates.
/// </summary>
internal sealed class Histogram
{
    private readonly double[] _bounds;
    private readonly long[] _buckets;
    private double _sum;

    public Histogram(double[] upperBounds)
    {
        _bounds = upperBounds;
        _buckets = new long[upperBounds.Length + 1];
    }

    /// <summary>The finite upper bounds, ascending (shared by every series of a family).</summary>
    public ReadOnlySpan<double> UpperBounds => _bounds;

    public double Sum => Volatile.Read(ref _sum);

    public void Observe(double value)
    {
        if (double.IsNaN(value))
        {
            return;
        }
        int bucket = 0;
        while (bucket < _bounds.Length && value > _bounds[bucket])
        {
            bucket++;
        }
        Interlocked.Increment(ref _buckets[bucket]);
        double seen = Volatile.Read(ref _sum);
        while (true)
        {
            double swapped = Interlocked.CompareExchange(ref _sum, seen + value, seen);
            if (swapped.Equals(seen))
            {
                return;
            }
            seen = swapped;
        }
    }

    /// <summary>Observations in bucket <paramref name="index"/> alone (not cumulative); index <c>UpperBounds.Length</c> is +Inf.</summary>
    public long BucketCount(int index) => Volatile.Read(ref _buckets[index]);

    /// <summary>Bounds that grow by <paramref name="factor"/> from <paramref name="start"/>, like the Go client's ExponentialBuckets.</summary>
    public static double[] ExponentialBounds(double start, double factor, int count)
    {
        var bounds = new double[count];
        for (int i = 0; i < count; i++)
        {
            bounds[i] = start * Math.Pow(factor, i);
        }
        return bounds;
    }
}
