using ResMgrLite.Nri;
using ResMgrLite.Nri.Api;

namespace ResMgrLite.Plugin;

/// <summary>
/// Sends the plugin's own cpuset updates (UpdateContainers) one call at a time, in order, and
/// records the runtime's answer in the <see cref="CpusetLedger"/>: what it acknowledged, and what
/// failed or was not answered in time, which the next reconcile sends again. One call at a time
/// because the runtime serves concurrent calls in any order, so an older cpuset could overwrite a
/// newer one; an update still waiting for its turn is replaced by a newer one for the same
/// container. Calls carry at most <see cref="MaxUpdatesPerCall"/> updates: the runtime applies
/// them one by one while holding its NRI lock, so short calls let its events through in between.
/// </summary>
internal sealed class ContainerUpdateSender(PluginLog log)
{
    public const int MaxUpdatesPerCall = 4;

    private readonly Lock _lock = new();
    private readonly List<ContainerUpdate> _waiting = [];
    private INriRuntime? _runtime;
    private CpusetLedger? _ledger;
    private bool _sending;

    /// <summary>Counts by result, for metrics.</summary>
    public ContainerUpdateCounters Counters { get; } = new();

    /// <summary>The connection's runtime and the ledger to record its answers in (set at Configure).</summary>
    public void Use(INriRuntime runtime, CpusetLedger? ledger)
    {
        lock (_lock)
        {
            _runtime = runtime;
            _ledger = ledger;
        }
    }

    /// <summary>
    /// Queues cpuset updates (never awaited: safe inside an event, spec §7.5). The call for them
    /// goes out at once when none is on its way, else after it.
    /// </summary>
    public void Send(IReadOnlyList<ContainerUpdate> updates)
    {
        lock (_lock)
        {
            foreach (ContainerUpdate update in updates)
            {
                Queue(update);
            }
            if (_sending || _waiting.Count == 0)
            {
                return;
            }
            _sending = true;
        }
        _ = SendWaitingAsync();
    }

    private void Queue(ContainerUpdate update)
    {
        string cpus = CpusOf(update);
        if (_ledger is { } ledger && ledger.RecordQueued(update.ContainerId, cpus, out bool firstRetry))
        {
            Counters.CountRetried();
            if (firstRetry)
            {
                string acknowledged = ledger.LastAcknowledged(update.ContainerId) is { Length: > 0 } known ? $"it still runs on {known}" : "what it runs on is not known";
                log.Write(ProtocolLogLevel.Warning, $"container {update.ContainerId}: sending cpuset {cpus} again, the runtime has not acknowledged it ({acknowledged}); retried every reconcile until it lands");
            }
        }
        int queued = _waiting.FindIndex(u => string.Equals(u.ContainerId, update.ContainerId, StringComparison.Ordinal));
        if (queued >= 0)
        {
            _waiting[queued] = update;
        }
        else
        {
            _waiting.Add(update);
        }
    }

    private async Task SendWaitingAsync()
    {
        while (true)
        {
            ContainerUpdate[] call;
            INriRuntime? runtime;
            lock (_lock)
            {
                if (_waiting.Count == 0)
                {
                    _sending = false;
                    return;
                }
                call = [.. _waiting.Take(MaxUpdatesPerCall)];
                _waiting.RemoveRange(0, call.Length);
                runtime = _runtime;
            }
            UpdateContainersResult result = runtime is null
                ? UpdateContainersResult.CallFailed("not connected to the runtime")
                : await runtime.UpdateContainersAsync(call).ConfigureAwait(false);
            Record(call, result);
        }
    }

    private void Record(ContainerUpdate[] call, UpdateContainersResult result)
    {
        CpusetLedger? ledger;
        lock (_lock)
        {
            ledger = _ledger;
        }
        int failed = 0, firstFailures = 0;
        foreach (ContainerUpdate update in call)
        {
            string cpus = CpusOf(update);
            if (result.Applied(update.ContainerId))
            {
                Counters.CountApplied();
                ledger?.RecordApplied(update.ContainerId, cpus);
            }
            else
            {
                Counters.CountFailed();
                failed++;
                if (ledger is null || ledger.RecordFailed(update.ContainerId, cpus))
                {
                    firstFailures++;
                }
            }
        }
        // A retry that fails again was said already: one line per cpuset, not one per reconcile.
        if (firstFailures > 0)
        {
            log.Write(ProtocolLogLevel.Warning, $"{failed} of {call.Length} cpuset update(s) did not land ({result.Problem ?? "the runtime named them as failed"}); the next reconcile sends them again");
        }
    }

    private static string CpusOf(ContainerUpdate update) => update.Linux?.Resources?.Cpu?.Cpus ?? "";
}
