using ResMgrLite.Nri;
using ResMgrLite.Nri.Api;

namespace ResMgrLite.Plugin;

/// <summary>
/// Sends the plugin's own cpuset updates (UpdateContainers) and records the runtime's answer in the
/// <see cref="CpusetLedger"/>: what it acknowledged, and what failed or was not answered in time,
/// which the next reconcile sends again. Updates are written at once, inside the event that made
/// them (never awaited there), so the runtime has them before any later event's answer: the
/// runtime's NRI lock then orders them before that event. Calls carry at most
/// <see cref="MaxUpdatesPerCall"/> updates: the runtime applies them one by one while holding its
/// NRI lock, so short calls let its events through in between. Should two calls for one container
/// be applied out of order, the ledger holds the older cpuset as acknowledged and the next
/// reconcile sends the newer one again.
/// </summary>
internal sealed class ContainerUpdateSender(PluginLog log, Observability.PluginMetrics? metrics = null)
{
    public const int MaxUpdatesPerCall = 4;

    private readonly Lock _lock = new();
    private INriRuntime? _runtime;
    private CpusetLedger? _ledger;

    /// <summary>Counts by result, for metrics.</summary>
    public ContainerUpdateCounters Counters { get; } = new() { Counted = metrics is null ? null : result => metrics.OnContainerUpdates(result, 1) };

    /// <summary>The connection's runtime and the ledger to record its answers in (set at Configure).</summary>
    public void Use(INriRuntime runtime, CpusetLedger? ledger)
    {
        lock (_lock)
        {
            _runtime = runtime;
            _ledger = ledger;
        }
    }

    /// <summary>Sends cpuset updates in calls of at most <see cref="MaxUpdatesPerCall"/> (never awaited: safe inside an event, docs/nri-rules.md §7.5).</summary>
    public void Send(IReadOnlyList<ContainerUpdate> updates)
    {
        (INriRuntime? runtime, CpusetLedger? ledger) = Current();
        for (int first = 0; first < updates.Count; first += MaxUpdatesPerCall)
        {
            _ = SendAsync(runtime, ledger, NextCall(ledger, updates, first));
        }
    }

    /// <summary>
    /// Sends cpuset updates one call after the other, in the order given, and answers whether the
    /// runtime applied all of them (an in-place resize narrows the pod cgroup only after its
    /// containers narrowed). Never awaited inside an event.
    /// </summary>
    public async Task<bool> SendInOrderAsync(IReadOnlyList<ContainerUpdate> updates)
    {
        (INriRuntime? runtime, CpusetLedger? ledger) = Current();
        bool allApplied = true;
        for (int first = 0; first < updates.Count; first += MaxUpdatesPerCall)
        {
            allApplied &= (await SendAsync(runtime, ledger, NextCall(ledger, updates, first)).ConfigureAwait(false)).AllSucceeded;
        }
        return allApplied;
    }

    private (INriRuntime? Runtime, CpusetLedger? Ledger) Current()
    {
        lock (_lock)
        {
            return (_runtime, _ledger);
        }
    }

    private ContainerUpdate[] NextCall(CpusetLedger? ledger, IReadOnlyList<ContainerUpdate> updates, int first)
    {
        var call = new ContainerUpdate[Math.Min(MaxUpdatesPerCall, updates.Count - first)];
        for (int i = 0; i < call.Length; i++)
        {
            call[i] = updates[first + i];
            NoteQueued(ledger, call[i]);
        }
        return call;
    }

    private void NoteQueued(CpusetLedger? ledger, ContainerUpdate update)
    {
        string cpus = CpusOf(update);
        if (ledger is not null && ledger.RecordQueued(update.ContainerId, cpus, out bool firstRetry))
        {
            Counters.CountRetried();
            if (firstRetry)
            {
                string acknowledged = ledger.LastAcknowledged(update.ContainerId) is { Length: > 0 } known ? $"it still runs on {known}" : "what it runs on is not known";
                log.Write(ProtocolLogLevel.Warning, $"container {update.ContainerId}: sending cpuset {cpus} again, the runtime has not acknowledged it ({acknowledged}); retried every reconcile until it lands");
            }
        }
    }

    private async Task<UpdateContainersResult> SendAsync(INriRuntime? runtime, CpusetLedger? ledger, ContainerUpdate[] call)
    {
        UpdateContainersResult result = runtime is null
            ? UpdateContainersResult.CallFailed("not connected to the runtime")
            : await runtime.UpdateContainersAsync(call).ConfigureAwait(false);
        Record(ledger, call, result);
        return result;
    }

    private void Record(CpusetLedger? ledger, ContainerUpdate[] call, UpdateContainersResult result)
    {
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
