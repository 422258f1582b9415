using ResMgrLite.Engine;
using ResMgrLite.Engine.Model;
using ResMgrLite.Host.Cgroups;

namespace ResMgrLite.Plugin;

/// <summary>
/// The kubelet's <c>removeStaleState</c> for what NRI never reports: containerd 1.7.24 sends a
/// relaunched pre-launched plugin no Synchronize and no removal events for pods created before its
/// restart, so entries restored from the state file can outlive their pods. Every reconcile period
/// (cpuManager.reconcilePeriod) the pods no event has named since start are looked up in the cgroup
/// tree; the handler releases the ones whose cgroup is gone.
/// </summary>
internal sealed class StaleStateReconciler(PodCgroupEffects cgroups) : IDisposable
{
    private Timer? _timer;

    /// <summary>True once the periodic pass runs: widened shared pools then wait for it.</summary>
    public bool Runs => _timer is not null;

    /// <summary>Calls <paramref name="pass"/> every <paramref name="period"/> (nothing when it is not positive).</summary>
    public void Start(TimeSpan period, Action pass)
    {
        if (period <= TimeSpan.Zero)
        {
            return;
        }
        _timer?.Dispose();
        _timer = new Timer(_ => pass(), null, period, period);
    }

    /// <summary>
    /// Pods the state holds that no event named (<paramref name="seen"/>) and whose cgroup is gone.
    /// Without the kubepods hierarchy nothing can be judged: keeping an entry only leaks, releasing a
    /// live one would share CPUs.
    /// </summary>
    public List<string> FindDeparted(ResourceEngine engine, HashSet<string> seen)
    {
        if (cgroups.Probe(cgroups.Layout.Root) != CgroupPresence.Present)
        {
            return [];
        }
        var stale = new List<string>();
        foreach (string uid in engine.ListPods())
        {
            if (!seen.Contains(uid) && !PodCgroupMayExist(uid))
            {
                stale.Add(uid);
            }
        }
        stale.Sort(StringComparer.Ordinal);
        return stale;
    }

    /// <summary>A path that cannot be judged (refused, unreadable) counts as present: releasing a live pod would share its CPUs.</summary>
    private bool PodCgroupMayExist(string podUid)
    {
        foreach (QosClass qos in (ReadOnlySpan<QosClass>)[QosClass.Guaranteed, QosClass.Burstable, QosClass.BestEffort])
        {
            if (cgroups.Probe(cgroups.Layout.PodCgroup(qos, podUid), $"pod {podUid}") != CgroupPresence.Gone)
            {
                return true;
            }
        }
        return false;
    }

    public void Dispose() => _timer?.Dispose();
}
