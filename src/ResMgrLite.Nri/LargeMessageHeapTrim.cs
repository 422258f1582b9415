namespace ResMgrLite.Nri;

/// <summary>
/// Gives the memory of a large message back to the operating system once it has been handled.
/// A Synchronize of several megabytes leaves its receive buffers and decoded objects as garbage,
/// and nothing else the plugin does allocates enough to make the GC collect and decommit them,
/// so without this the process would keep that peak as its resident size. One compacting,
/// decommitting collection after a quiet second costs a few milliseconds; the chunks of one split
/// Synchronize arrive within that second and share one collection.
/// </summary>
internal static class LargeMessageHeapTrim
{
    /// <summary>Messages from this size on are worth a collection afterwards.</summary>
    public const int Threshold = 1 << 20;

    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);
    private static readonly Timer Collector = new(static _ => Collect(), null, Timeout.Infinite, Timeout.Infinite);

    /// <summary>Collects <see cref="Quiet"/> after the last request; later requests postpone it.</summary>
    public static void Request() => Collector.Change(Quiet, Timeout.InfiniteTimeSpan);

    /// <summary>Counts a message and requests a collection when it was large.</summary>
    public static void After(long messageBytes)
    {
        if (messageBytes >= Threshold)
        {
            Request();
        }
    }

    private static void Collect() =>
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
}
