namespace ResMgrLite.Hooks;

/// <summary>Runs of one hook that ended with one result, since the plugin started.</summary>
internal readonly record struct HookRunCount(string Hook, HookResult Result, long Runs);

/// <summary>
/// Counts hook runs by hook and result, and the changes hooks never saw because a newer one
/// replaced them. Written by the runner's thread only. For metrics
/// (<c>resmgrlite_hook_runs_total{hook,result}</c>, labels from <see cref="HookResultNames"/>): read
/// <see cref="Snapshot"/> when scraped, or subscribe to <see cref="RunCounted"/>.
/// </summary>
internal sealed class HookCounters
{
    private readonly Lock _lock = new();
    private const int ResultCount = (int)HookResult.Refused + 1;   // the last result

    // Runs per hook, indexed by result.
    private readonly Dictionary<string, long[]> _runs = new(StringComparer.Ordinal);
    private long _coalesced;

    public void CountRun(string hook, HookResult result)
    {
        lock (_lock)
        {
            if (!_runs.TryGetValue(hook, out long[]? runs))
            {
                runs = new long[ResultCount];
                _runs[hook] = runs;
            }
            runs[(int)result]++;
        }
        RunCounted?.Invoke(hook, result);
    }

    /// <summary>Called on the runner's thread after each counted run (hook file name, result); keep it short.</summary>
    public Action<string, HookResult>? RunCounted { get; set; }

    public void CountCoalesced(long changes) => Interlocked.Add(ref _coalesced, changes);

    /// <summary>Changes skipped in favour of a newer one, summed over all hooks.</summary>
    public long CoalescedChanges => Interlocked.Read(ref _coalesced);

    /// <summary>Every (hook, result) pair seen so far, ordered by hook name then result.</summary>
    public IReadOnlyList<HookRunCount> Snapshot()
    {
        lock (_lock)
        {
            string[] hooks = [.. _runs.Keys];
            Array.Sort(hooks, StringComparer.Ordinal);
            var counts = new List<HookRunCount>();
            foreach (string hook in hooks)
            {
                long[] runs = _runs[hook];
                for (int result = 0; result < runs.Length; result++)
                {
                    if (runs[result] > 0)
                    {
                        counts.Add(new HookRunCount(hook, (HookResult)result, runs[result]));
                    }
                }
            }
            return counts;
        }
    }
}
