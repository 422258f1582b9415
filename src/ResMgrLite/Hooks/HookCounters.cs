namespace ResMgrLite.Hooks;

/// <summary>Runs of one hook that ended with one result, since the plugin started.</summary>
internal readonly record struct HookRunCount(string Hook, HookResult Result, long Runs);

/// <summary>
/// Counts hook runs by hook and result, and the changes hooks never saw because a newer one
/// replaced them. Read by the metrics endpoint; written by the runner's thread only.
/// </summary>
internal sealed class HookCounters
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Hook, HookResult Result), long> _runs = [];
    private long _coalesced;

    public void CountRun(string hook, HookResult result)
    {
        lock (_lock)
        {
            _runs[(hook, result)] = _runs.GetValueOrDefault((hook, result)) + 1;
        }
    }

    public void CountCoalesced(long changes) => Interlocked.Add(ref _coalesced, changes);

    /// <summary>Changes skipped in favour of a newer one, summed over all hooks.</summary>
    public long CoalescedChanges => Interlocked.Read(ref _coalesced);

    /// <summary>Every (hook, result) pair seen so far, ordered by hook name then result.</summary>
    public IReadOnlyList<HookRunCount> Snapshot()
    {
        lock (_lock)
        {
            var counts = new List<HookRunCount>(_runs.Count);
            foreach (KeyValuePair<(string Hook, HookResult Result), long> entry in _runs)
            {
                counts.Add(new HookRunCount(entry.Key.Hook, entry.Key.Result, entry.Value));
            }
            counts.Sort(static (a, b) =>
            {
                int byHook = string.CompareOrdinal(a.Hook, b.Hook);
                return byHook != 0 ? byHook : a.Result.CompareTo(b.Result);
            });
            return counts;
        }
    }
}
