namespace ResMgrLite.Plugin;

/// <summary>
/// Per container id, the cpuset the runtime last acknowledged and the one last sent, as cpulist
/// texts, so a change is sent once and one that did not land is sent again. Acknowledged means the
/// runtime said so: the container's own CreateContainer adjustment or UpdateContainer reply (the
/// runtime applies it with the CRI call or fails that call), what Synchronize reports, and an
/// UpdateContainers call answered without error. Updates of other containers carried in an event
/// reply are only sent: the runtime applies them after the event and merely logs a failure.
/// Keyed by id rather than by pod and name: after a restart the engine's restored entries name
/// containers this process has seen no event for yet. Texts of containers on one pool are one
/// shared string, so a thousand shared containers cost a thousand references, not a thousand sets.
/// Thread-safe: acknowledgements arrive off the event path.
/// </summary>
internal sealed class CpusetLedger
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Where the cpuset last sent to a container stands.</summary>
    private enum Delivery : byte
    {
        /// <summary>The runtime acknowledged what was last sent.</summary>
        Acknowledged,

        /// <summary>Handed over without an acknowledgement: in an event reply (applied after the event, a failure only logged by the runtime), or before a restart.</summary>
        Unconfirmed,

        /// <summary>In an UpdateContainers call that has not been answered.</summary>
        Queued,

        /// <summary>The runtime failed it, or did not answer in time.</summary>
        Failed,
    }

    private sealed class Entry
    {
        public string? Acknowledged;
        public string Sent = "";
        public Delivery Delivery;
        public bool RetryLogged;
    }

    /// <summary>The runtime runs <paramref name="containerId"/> on <paramref name="cpus"/> (acknowledged, or reported by Synchronize).</summary>
    public void RecordAcknowledged(string containerId, string cpus)
    {
        lock (_lock)
        {
            Acknowledge(EntryOf(containerId), cpus);
        }
    }

    /// <summary>Synchronize reported what <paramref name="containerId"/> runs on: the runtime's word replaces everything held.</summary>
    public void RecordReported(string containerId, string cpus)
    {
        lock (_lock)
        {
            _entries[containerId] = new Entry { Acknowledged = cpus, Sent = cpus };
        }
    }

    /// <summary><paramref name="cpus"/> went to <paramref name="containerId"/> without an acknowledgement (an event reply; the state file after a restart).</summary>
    public void RecordUnconfirmed(string containerId, string cpus)
    {
        lock (_lock)
        {
            Send(EntryOf(containerId), cpus, Delivery.Unconfirmed);
        }
    }

    /// <summary>
    /// <paramref name="cpus"/> goes out in an UpdateContainers call. True when it is sent again
    /// after a failure; <paramref name="firstRetry"/> then says whether this retry is the first of
    /// this cpuset (to log it once).
    /// </summary>
    public bool RecordQueued(string containerId, string cpus, out bool firstRetry)
    {
        lock (_lock)
        {
            Entry entry = EntryOf(containerId);
            bool retry = entry.Delivery == Delivery.Failed && string.Equals(entry.Sent, cpus, StringComparison.Ordinal);
            firstRetry = retry && !entry.RetryLogged;
            Send(entry, cpus, Delivery.Queued);
            entry.RetryLogged |= retry;
            return retry;
        }
    }

    /// <summary>
    /// The runtime failed <paramref name="cpus"/> for <paramref name="containerId"/>, or did not
    /// answer in time. True the first time this cpuset failed (a failed retry was logged already).
    /// </summary>
    public bool RecordFailed(string containerId, string cpus)
    {
        lock (_lock)
        {
            // A container released meanwhile is not brought back; a newer cpuset sent meanwhile stands.
            if (_entries.TryGetValue(containerId, out Entry? entry) && string.Equals(entry.Sent, cpus, StringComparison.Ordinal))
            {
                entry.Delivery = Delivery.Failed;
                return !entry.RetryLogged;
            }
            return false;
        }
    }

    /// <summary>The runtime acknowledged <paramref name="cpus"/> for <paramref name="containerId"/> in an UpdateContainers answer.</summary>
    public void RecordApplied(string containerId, string cpus)
    {
        lock (_lock)
        {
            // A container released while its update was on the way is not brought back.
            if (_entries.TryGetValue(containerId, out Entry? entry))
            {
                Acknowledge(entry, cpus);
            }
        }
    }

    /// <summary>
    /// For an event: true when <paramref name="cpus"/> needs no sending now — the runtime
    /// acknowledged it, or it is on its way and has not failed.
    /// </summary>
    public bool Holds(string containerId, string cpus)
    {
        lock (_lock)
        {
            return _entries.TryGetValue(containerId, out Entry? entry)
                && string.Equals(entry.Sent, cpus, StringComparison.Ordinal) && entry.Delivery != Delivery.Failed;
        }
    }

    /// <summary>
    /// For a reconcile: true when <paramref name="cpus"/> is settled — acknowledged, or queued for
    /// an UpdateContainers call whose answer will settle it. An unconfirmed cpuset (an event reply) is
    /// not settled until it is sent again and acknowledged.
    /// </summary>
    public bool IsSettled(string containerId, string cpus)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(containerId, out Entry? entry) || !string.Equals(entry.Sent, cpus, StringComparison.Ordinal))
            {
                return false;
            }
            return entry.Delivery is Delivery.Acknowledged or Delivery.Queued;
        }
    }

    /// <summary>The cpulist the runtime last acknowledged for <paramref name="containerId"/>, or null when none is known.</summary>
    public string? LastAcknowledged(string containerId)
    {
        lock (_lock)
        {
            return _entries.GetValueOrDefault(containerId)?.Acknowledged;
        }
    }

    public void Forget(string containerId)
    {
        lock (_lock)
        {
            _entries.Remove(containerId);
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _entries.Clear();
        }
    }

    private Entry EntryOf(string containerId)
    {
        if (!_entries.TryGetValue(containerId, out Entry? entry))
        {
            entry = new Entry();
            _entries[containerId] = entry;
        }
        return entry;
    }

    private static void Acknowledge(Entry entry, string cpus)
    {
        entry.Acknowledged = cpus;
        // An older cpuset acknowledged while a newer one is on its way (or failed) leaves the newer one as it is.
        if (string.Equals(entry.Sent, cpus, StringComparison.Ordinal) || entry.Delivery == Delivery.Acknowledged)
        {
            entry.Sent = cpus;
            entry.Delivery = Delivery.Acknowledged;
            entry.RetryLogged = false;
        }
    }

    private static void Send(Entry entry, string cpus, Delivery delivery)
    {
        if (!string.Equals(entry.Sent, cpus, StringComparison.Ordinal))
        {
            entry.RetryLogged = false;
        }
        else if (entry.Delivery == Delivery.Failed && delivery == Delivery.Unconfirmed)
        {
            // Built again for a reconcile or an event reply: still the cpuset that failed, so the
            // call that carries it next is a retry.
            return;
        }
        entry.Sent = cpus;
        entry.Delivery = delivery;
    }
}
