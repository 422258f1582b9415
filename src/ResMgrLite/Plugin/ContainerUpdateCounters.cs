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

    /// <summary>Called after each counted update with its result (the metrics).</summary>
    internal Action<Observability.ContainerUpdateResult>? Counted { get; set; }

    internal void CountApplied() => Count(ref _applied, Observability.ContainerUpdateResult.Applied);

    internal void CountRetried() => Count(ref _retried, Observability.ContainerUpdateResult.Retried);

    internal void CountFailed() => Count(ref _failed, Observability.ContainerUpdateResult.Failed);

    private void Count(ref long counter, Observability.ContainerUpdateResult result)
    {
        Interlocked.Increment(ref counter);
        Counted?.Invoke(result);
    }
}
