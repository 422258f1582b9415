namespace ResMgrLite.Plugin;

/// <summary>
/// Counts of the container updates sent to the runtime in UpdateContainers calls, by result, since
/// start (for <c>resmgrlite_container_updates_total{result}</c>). A retried update is counted again
/// as applied or failed when its answer comes.
/// </summary>
internal sealed class ContainerUpdateCounters
{
    private long _applied;
    private long _retried;
    private long _failed;

    /// <summary>Updates the runtime acknowledged.</summary>
    public long Applied => Interlocked.Read(ref _applied);

    /// <summary>Updates sent again after the runtime failed them or did not answer in time.</summary>
    public long Retried => Interlocked.Read(ref _retried);

    /// <summary>Updates the runtime failed, or did not acknowledge within the deadline.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    internal void CountApplied() => Interlocked.Increment(ref _applied);

    /// <summary>Called after each counted retry (the metrics' <c>retried</c> label).</summary>
    internal Action? RetryCounted { get; set; }

    internal void CountRetried()
    {
        Interlocked.Increment(ref _retried);
        RetryCounted?.Invoke();
    }

    internal void CountFailed() => Interlocked.Increment(ref _failed);
}
