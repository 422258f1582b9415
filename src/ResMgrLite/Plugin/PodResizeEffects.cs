using ResMgrLite.Engine;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.Resize;
using ResMgrLite.Nri;
using ResMgrLite.Nri.Api;

namespace ResMgrLite.Plugin;

/// <summary>
/// What follows an in-place pod resize (UpdatePodSandbox): the engine decides
/// (<see cref="ResourceEngine.ResizePod"/>); this class writes the state file, then carries the
/// decision out in the order that keeps the pod inside its budget all the time — pod cgroup limits
/// that widen first, then the containers whose cpuset changed (narrowed ones first), then the pod
/// cgroup limits that narrow, once the runtime has applied the container updates. Every distinct
/// decision is logged in one line and published on <see cref="AllocationFeed"/>.
/// </summary>
internal sealed class PodResizeEffects(PluginLog log)
{
    // The runtime's CFS period per pod, for the pod quota of later retries (the kubelet's default after a restart).
    private readonly Dictionary<string, ulong> _periods = new(StringComparer.Ordinal);

    /// <summary>
    /// Decides the resize of <paramref name="sandbox"/> to <paramref name="resources"/> and starts
    /// carrying it out into <paramref name="work"/>. Returns the decision's outcome and reason.
    /// Throws <see cref="FormatException"/> for a value no kubelet sends.
    /// </summary>
    public (ResizeOutcome Outcome, string Reason) Resize(ResourceManagement m, TrackedPod pod, LinuxResources resources, ResizeWork work)
    {
        ContainerResources current = PodBudgetMapping.CreationBudget(pod.Sandbox, pod.Spec);
        ContainerResources inForce = m.Engine.Resizes.TryGetValue(pod.Spec.Uid, out PodResizeRecord record) ? record.InForce : current;
        ContainerResources desired = PodBudgetMapping.FromResources(resources, pod.Spec.Qos, inForce);
        _periods[pod.Spec.Uid] = PodBudgetMapping.PeriodOf(resources);
        return Decide(m, pod, current, desired, "resize", work);
    }

    /// <summary>Tries every deferred resize again (after a release, on every reconcile); pods no event has named since start wait for one.</summary>
    public void RetryDeferred(ResourceManagement m, ResizeWork work)
    {
        var pending = new List<string>();
        m.Engine.CollectDeferredResizes(pending);
        foreach (string podUid in pending)
        {
            if (m.Pods.FindPod(podUid) is { } pod && m.Engine.Resizes.TryGetValue(podUid, out PodResizeRecord record))
            {
                Decide(m, pod, record.InForce, record.Desired, "deferred resize retried", work);
            }
        }
    }

    /// <summary>
    /// PostUpdatePodSandbox: the runtime applied its part. Whatever it (or the kubelet) wrote to the pod
    /// cgroup is brought back to the budget in force, containers whose cpuset differs from their
    /// allocation get it again, and a deferred resize is tried once more.
    /// </summary>
    public void Reconcile(ResourceManagement m, TrackedPod pod, ResizeWork work)
    {
        string uid = pod.Spec.Uid;
        if (!m.Engine.Resizes.TryGetValue(uid, out PodResizeRecord record))
        {
            log.Write(ProtocolLogLevel.Info, $"pod {pod}: post-update: no resize was decided for it; nothing to reconcile");
            return;
        }
        if (record.IsPending)
        {
            Decide(m, pod, record.InForce, record.Desired, "deferred resize retried after the runtime's update", work);
            m.Engine.Resizes.TryGetValue(uid, out record);
        }
        string? error = m.PodCgroups.ApplyLimits(m.Engine.PodLimitsInForce(pod.Spec), pod.CgroupPath, PeriodOf(uid), $"pod {pod} post-update");
        if (m.Engine.Cpu?.PodHasExclusive(uid) == true)
        {
            // The pod cgroup may have been given a quota again: lift it again.
            m.PodCgroups.ForgetPod(uid);
            m.PodCgroups.Apply(m.Engine, [new PodCgroupWrite(PodCgroupTarget.Pod, PodCgroupKnob.CpuQuota, Engine.PodLevel.CpuQuotaRule.NoQuota, uid, pod.Spec.Qos)], _ => pod.CgroupPath, $"pod {pod} post-update");
        }
        int before = work.Updates.Count;
        m.AddCpusetCorrections(work.Updates, skip: null);
        ContainerResources shown = PodBudgetMapping.CreationBudget(pod.Sandbox, pod.Spec);
        log.Write(ProtocolLogLevel.Info,
            $"pod {pod}: post-update: last resize {ResizeOutcomes.Name(record.Outcome)}, budget in force {PodBudgetMapping.Describe(record.InForce)}" +
            (shown != record.InForce ? $" (the runtime still shows {PodBudgetMapping.Describe(shown)}; the decided budget wins)" : "") +
            $", {work.Updates.Count - before} container(s) corrected" + (error is null ? "" : $"; pod cgroup: {error}"));
    }

    /// <summary>A pod is gone: forget its period.</summary>
    public void ForgetPod(string podUid) => _periods.Remove(podUid);

    private (ResizeOutcome, string) Decide(ResourceManagement m, TrackedPod pod, in ContainerResources current, in ContainerResources desired, string occasion, ResizeWork work)
    {
        ResizeDecision d = m.Engine.ResizePod(pod.Spec, current, desired);
        string what = $"pod {pod} {occasion}";
        if (d.StateChanged && !m.State.PersistIfChanged(m.Engine))
        {
            // A resize is best effort: the runtime keeps running the pod; a restart would go back to the older budget.
            log.Write(ProtocolLogLevel.Error, $"{what}: the state file {m.State.FilePath} cannot be written; after a restart the budget before this resize would be used");
        }
        if (d.Outcome == ResizeOutcome.Applied)
        {
            Carry(m, pod, d, what, work);
        }
        if (d.OutcomeChanged)
        {
            log.Write(d.Outcome is ResizeOutcome.Infeasible or ResizeOutcome.Deferred ? ProtocolLogLevel.Warning : ProtocolLogLevel.Info,
                $"{what}: {ResizeOutcomes.Name(d.Outcome)}, {PodBudgetMapping.Describe(d.Previous)} -> {PodBudgetMapping.Describe(d.Desired)}" +
                (d.Reason.Length > 0 ? $": {d.Reason}" : "") +
                (d.Outcome == ResizeOutcome.Deferred ? " (the old allocation stays; retried on every release and reconcile)" : "") +
                (d.Outcome == ResizeOutcome.Infeasible ? " (the old allocation stays)" : ""));
            m.Allocations.Publish(new AllocationChange(AllocationChangeKind.PodResized, d.PodUid, resizeOutcome: d.Outcome), m.Engine);
        }
        return (d.Outcome, d.Reason);
    }

    /// <summary>Widening limits now, container updates into the work (narrowed ones first), narrowing limits after them.</summary>
    private void Carry(ResourceManagement m, TrackedPod pod, in ResizeDecision d, string what, ResizeWork work)
    {
        ulong period = PeriodOf(d.PodUid);
        if (m.PodCgroups.ApplyLimits(d.WidenLimits, pod.CgroupPath, period, what) is { } widenError)
        {
            log.Write(ProtocolLogLevel.Warning, $"{what}: pod cgroup limits not raised: {widenError}");
        }
        // Memory QoS protection (pod memory.min/low, the parents' sums) is ordered by its own plan.
        m.PodCgroups.Apply(m.Engine, d.Effects.PodCgroupWrites, _ => pod.CgroupPath, what);
        int first = work.Updates.Count;
        m.Adjustments.AddPoolUpdates(d.Effects, work.Updates);
        OrderNarrowedFirst(work.Updates, first, d.Effects.PodPoolCpus.ToString(), podMembersNarrow: !d.PodPoolGrows);
        if (d.NarrowLimits.Count > 0)
        {
            work.NarrowAfter.Add(new PendingLimits([.. d.NarrowLimits], pod.CgroupPath, period, what));
        }
    }

    /// <summary>
    /// Growing, the node pool gives CPUs to the pod's pool: node-pool members narrow before the pod's
    /// members widen. Shrinking, the other way round. A stable partition of the updates from <paramref name="first"/>.
    /// </summary>
    private static void OrderNarrowedFirst(List<ContainerUpdate> updates, int first, string podPool, bool podMembersNarrow)
    {
        if (updates.Count - first < 2)
        {
            return;
        }
        List<ContainerUpdate> added = updates.GetRange(first, updates.Count - first);
        updates.RemoveRange(first, added.Count);
        bool IsPodMember(ContainerUpdate u) => string.Equals(u.Linux?.Resources?.Cpu?.Cpus, podPool, StringComparison.Ordinal);
        foreach (ContainerUpdate u in added)
        {
            if (IsPodMember(u) == podMembersNarrow)
            {
                updates.Add(u);
            }
        }
        foreach (ContainerUpdate u in added)
        {
            if (IsPodMember(u) != podMembersNarrow)
            {
                updates.Add(u);
            }
        }
    }

    private ulong PeriodOf(string podUid) => _periods.TryGetValue(podUid, out ulong period) ? period : NriModelMapper.DefaultPeriodMicros;
}

/// <summary>Pod cgroup limits that narrow, written once the container updates before them were applied.</summary>
internal sealed record PendingLimits(IReadOnlyList<PodCgroupWrite> Limits, string? PodCgroup, ulong PeriodMicros, string What);

/// <summary>What resize decisions leave to do outside the handler's lock: container updates, then the narrowing pod cgroup limits.</summary>
internal sealed class ResizeWork
{
    public List<ContainerUpdate> Updates { get; } = [];

    public List<PendingLimits> NarrowAfter { get; } = [];

    public bool IsEmpty => Updates.Count == 0 && NarrowAfter.Count == 0;
}
