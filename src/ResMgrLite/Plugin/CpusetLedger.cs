namespace ResMgrLite.Plugin;

/// <summary>
/// The cpuset last handed to the runtime, per container id, as the cpulist text that was sent, so
/// only real changes are sent again. Keyed by id rather than by pod and name: after a restart the
/// engine's restored entries name containers this process has seen no event for yet. Texts of
/// containers on one pool are one shared string, so a thousand shared containers cost a thousand
/// references, not a thousand sets.
/// </summary>
internal sealed class CpusetLedger
{
    private readonly Dictionary<string, string> _handed = new(StringComparer.Ordinal);

    /// <summary>Records what <paramref name="containerId"/> was given (or really runs on, after Synchronize).</summary>
    public void Record(string containerId, string cpus) => _handed[containerId] = cpus;

    /// <summary>True when <paramref name="containerId"/> was last handed exactly <paramref name="cpus"/>.</summary>
    public bool Holds(string containerId, string cpus) =>
        _handed.TryGetValue(containerId, out string? handed) && string.Equals(handed, cpus, StringComparison.Ordinal);

    /// <summary>The cpulist last handed to <paramref name="containerId"/>, or null when none is known.</summary>
    public string? LastHanded(string containerId) => _handed.GetValueOrDefault(containerId);

    public void Forget(string containerId) => _handed.Remove(containerId);

    public void Clear() => _handed.Clear();
}
