using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.MemoryQos;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.Resize;
using ResMgrLite.Engine.State;
using ResMgrLite.Engine.TopologyManagement;

namespace ResMgrLite.Engine;

// In-place pod-level resize (KEP-5419 with the KEP-5526 static managers, docs/kubelet-rules.md
// §7): the kubelet's feasibility check, then the budget's pools, the pod cgroup limits and the
// Memory QoS sums follow the new budget. Pure, like admission: the decision carries its effects.
internal sealed partial class ResourceEngine
{
    private readonly Dictionary<string, PodResizeRecord> _resizes = new(StringComparer.Ordinal);
    private readonly List<PodCgroupWrite> _widenLimits = new(4);
    private readonly List<PodCgroupWrite> _narrowLimits = new(4);

    /// <summary>The last resize of every pod that had one (state file, <c>resmgrlite state</c>).</summary>
    public IReadOnlyDictionary<string, PodResizeRecord> Resizes => _resizes;

    /// <summary>
    /// Decides an in-place resize of <paramref name="pod"/> to <paramref name="desired"/>.
    /// <paramref name="current"/> is the budget the runtime shows (creation time); a budget in force
    /// from an earlier resize wins over it. Applied: the budget's CPUs and memory, the pod's Memory QoS
    /// share and <see cref="PodSpec.PodLevel"/> follow, and the decision lists what the host must do.
    /// Deferred or infeasible: nothing changes but the pod's resize record. The effects are valid
    /// until the engine's next call.
    /// </summary>
    public ResizeDecision ResizePod(PodSpec pod, in ContainerResources current, in ContainerResources desired)
    {
        ArgumentNullException.ThrowIfNull(pod);
        long versionBefore = StateVersion;
        _effects.Clear();
        _widenLimits.Clear();
        _narrowLimits.Clear();
        bool known = _resizes.TryGetValue(pod.Uid, out PodResizeRecord last);
        ContainerResources inForce = known ? last.InForce : current;
        var decision = new ResizeDecision
        {
            PodUid = pod.Uid,
            Previous = inForce,
            Desired = desired,
            Reason = "",
            Effects = _effects,
            WidenLimits = _widenLimits,
            NarrowLimits = _narrowLimits,
        };
        decision.Outcome = Classify(pod, inForce, desired, out decision.Reason, out CpuSet added, out CpuSet removed);
        if (decision.Outcome == ResizeOutcome.Applied)
        {
            Apply(pod, inForce, desired, added, removed, ref decision);
        }
        var record = new PodResizeRecord(desired, decision.Outcome is ResizeOutcome.Applied or ResizeOutcome.Unchanged ? desired : inForce, decision.Outcome, decision.Reason);
        decision.OutcomeChanged = !known || last.Outcome != record.Outcome || last.Desired != record.Desired || !string.Equals(last.Reason, record.Reason, StringComparison.Ordinal);
        if (!known || last != record)
        {
            _resizes[pod.Uid] = record;
            _ownVersion++;
        }
        decision.StateChanged = StateVersion != versionBefore;
        return decision;
    }

    /// <summary>Adds the UIDs of pods whose resize waits for room (retried on every release and reconcile).</summary>
    public void CollectDeferredResizes(List<string> into)
    {
        foreach (KeyValuePair<string, PodResizeRecord> pair in _resizes)
        {
            if (pair.Value.IsPending)
            {
                into.Add(pair.Key);
            }
        }
    }

    /// <summary>
    /// Gives a pod model built from the runtime's (creation-time) view the budget in force from an
    /// earlier resize: after a restart the persisted budget wins. The QoS class stays as created.
    /// </summary>
    public void ApplyBudgetInForce(PodSpec pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (pod.HasPodLevelResources && _resizes.TryGetValue(pod.Uid, out PodResizeRecord record) && record.InForce.HasAny)
        {
            pod.PodLevel = record.InForce;
        }
    }

    /// <summary>
    /// The pod cgroup limits of the budget in force, whole (PostUpdatePodSandbox: what the runtime or
    /// the kubelet wrote is brought back to what was decided); empty when the pod had no resize.
    /// Engine-owned, valid until the engine's next call.
    /// </summary>
    public IReadOnlyList<PodCgroupWrite> PodLimitsInForce(PodSpec pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        _widenLimits.Clear();
        _narrowLimits.Clear();
        if (_resizes.TryGetValue(pod.Uid, out PodResizeRecord record))
        {
            PlanLimits(pod, default, record.InForce);
        }
        _narrowLimits.AddRange(_widenLimits);
        return _narrowLimits;
    }

    private void ForgetResize(string podUid)
    {
        if (_resizes.Remove(podUid))
        {
            _ownVersion++;
        }
    }

    /// <summary>§7.2 in order: unchanged; QoS class; node allocatable (memory first); then the pod's own budget in each manager.</summary>
    private ResizeOutcome Classify(PodSpec pod, in ContainerResources inForce, in ContainerResources desired, out string reason, out CpuSet added, out CpuSet removed)
    {
        reason = "";
        added = default;
        removed = default;
        if (desired == inForce)
        {
            return ResizeOutcome.Unchanged;
        }
        if (pod.HasPodLevelResources && pod.Qos == QosClass.Guaranteed && !desired.IsGuaranteedShaped)
        {
            reason = $"QoS class: the pod is Guaranteed and its class cannot change in place, but the new budget has requests below its limits (cpu {desired.CpuRequestMilli}m/{desired.CpuLimitMilli}m, memory {desired.MemoryRequestBytes}/{desired.MemoryLimitBytes} bytes)";
            return ResizeOutcome.Infeasible;
        }
        long memoryCapacity = AllocatableMemoryBytes();
        if (memoryCapacity > 0 && desired.MemoryRequestBytes > memoryCapacity)
        {
            reason = $"node allocatable: Node didn't have enough capacity: memory, requested: {desired.MemoryRequestBytes}, capacity: {memoryCapacity}";
            return ResizeOutcome.Infeasible;
        }
        // Only what a manager here manages: without the CPU manager the kubelet's own check is the only one.
        long cpuCapacity = (_cpu?.Allocatable.Count ?? 0) * 1000L;
        if (_cpu is not null && desired.CpuRequestMilli > cpuCapacity)
        {
            reason = $"node allocatable: Node didn't have enough capacity: cpu, requested: {desired.CpuRequestMilli}, capacity: {cpuCapacity}";
            return ResizeOutcome.Infeasible;
        }

        ResizeOutcome memoryOutcome = ResizeOutcome.Unchanged;
        string memoryReason = "";
        if (_memory is not null && _memory.Pods.ContainsKey(pod.Uid))
        {
            memoryOutcome = _memory.PlanBudgetResize(pod.Uid, desired.MemoryRequestBytes, out memoryReason);
        }
        if (memoryOutcome == ResizeOutcome.Infeasible)
        {
            reason = "Memory manager (Static policy): " + memoryReason;
            return memoryOutcome;
        }
        ResizeOutcome cpuOutcome = ResizeOutcome.Unchanged;
        string cpuReason = "";
        if (_cpu is not null && _cpu.Pods.ContainsKey(pod.Uid))
        {
            if (desired.CpuRequestMilli % 1000 != 0)
            {
                reason = $"CPU manager (static policy): the pod's budget holds exclusive CPUs, so it resizes only to whole CPUs, not {desired.CpuRequestMilli}m";
                return ResizeOutcome.Infeasible;
            }
            cpuOutcome = _cpu.PlanBudgetResize(pod.Uid, (int)Math.Min(int.MaxValue, desired.CpuRequestMilli / 1000),
                _tmOptions.Policy == TopologyPolicy.SingleNumaNode, out added, out removed, out cpuReason);
        }
        if (cpuOutcome == ResizeOutcome.Infeasible)
        {
            reason = "CPU manager (static policy): " + cpuReason;
            return cpuOutcome;
        }
        if (memoryOutcome == ResizeOutcome.Deferred || cpuOutcome == ResizeOutcome.Deferred)
        {
            reason = memoryOutcome == ResizeOutcome.Deferred ? "Memory manager (Static policy): " + memoryReason : "CPU manager (static policy): " + cpuReason;
            return ResizeOutcome.Deferred;
        }
        return ResizeOutcome.Applied;
    }

    /// <summary>The node's allocatable memory as the managers know it; 0 when neither does.</summary>
    private long AllocatableMemoryBytes()
    {
        if (_memory is not null)
        {
            _memory.State.Sum(_memory.State.AllNodesMask, MemoryResource.Memory, out _, out long allocatable);
            return allocatable;
        }
        return _memoryQos?.NodeAllocatableMemoryBytes ?? 0;
    }

    private void Apply(PodSpec pod, in ContainerResources inForce, in ContainerResources desired, in CpuSet added, in CpuSet removed, ref ResizeDecision decision)
    {
        if (_cpu is not null && (!added.IsEmpty || !removed.IsEmpty))
        {
            bool nodePoolChanged = _cpu.CommitBudgetResize(pod.Uid, added, removed);
            CollectPoolChanges(nodePoolChanged, pod.Uid, default);
            decision.PodPoolGrows = !added.IsEmpty;
        }
        _memory?.CommitBudgetResize(pod.Uid, desired.MemoryRequestBytes);
        if (pod.HasPodLevelResources)
        {
            pod.PodLevel = desired;
        }
        if (_qosAccounting is not null)
        {
            long request = PodMemoryRequest.Of(pod);
            long before = _qosAccounting.Pods.TryGetValue(pod.Uid, out var accounted) ? accounted.RequestBytes : 0;
            decision.MemoryRequestGrows = request > before;
            if (_qosAccounting.UpsertPod(pod.Uid, pod.Qos, request, _effects.Writes))
            {
                _ownVersion++;
            }
        }

        PlanLimits(pod, inForce, desired);
    }

    /// <summary>Pod cgroup limits from <paramref name="inForce"/> to <paramref name="desired"/>; one that becomes unset keeps its value (limits cannot be removed, §7.3 step 6).</summary>
    private void PlanLimits(PodSpec pod, in ContainerResources inForce, in ContainerResources desired)
    {
        if (_cpu is null || !_cpu.PodHasExclusive(pod.Uid))
        {
            PlanLimit(pod, PodCgroupKnob.CpuLimit, inForce.CpuLimitMilli, desired.CpuLimitMilli);
        }
        PlanLimit(pod, PodCgroupKnob.MemoryMax, inForce.MemoryLimitBytes, desired.MemoryLimitBytes);
        if (_memoryQos is not null && pod.HasPodLevelResources)
        {
            long oldHigh = MemoryQosCalculator.MemoryHigh(inForce.MemoryRequestBytes, inForce.MemoryLimitBytes, _memoryQos) ?? 0;
            long newHigh = MemoryQosCalculator.MemoryHigh(desired.MemoryRequestBytes, desired.MemoryLimitBytes, _memoryQos) ?? 0;
            PlanLimit(pod, PodCgroupKnob.MemoryHigh, oldHigh, newHigh, unsetKeeps: false);
        }
    }

    private void PlanLimit(PodSpec pod, PodCgroupKnob knob, long before, long after, bool unsetKeeps = true)
    {
        if (before == after || (after == 0 && unsetKeeps))
        {
            return;
        }
        // 0 is "no limit": the widest of all.
        bool widens = after == 0 || (before != 0 && after > before);
        (widens ? _widenLimits : _narrowLimits).Add(new PodCgroupWrite(PodCgroupTarget.Pod, knob, after, pod.Uid, pod.Qos));
    }

    private PodResizeSnapshot[] CaptureResizes()
    {
        var uids = new string[_resizes.Count];
        _resizes.Keys.CopyTo(uids, 0);
        Array.Sort(uids, StringComparer.Ordinal);
        var resizes = new PodResizeSnapshot[uids.Length];
        for (int i = 0; i < uids.Length; i++)
        {
            PodResizeRecord resize = _resizes[uids[i]];
            resizes[i] = new PodResizeSnapshot(uids[i], resize.Desired, resize.InForce, resize.Outcome, resize.Reason);
        }
        return resizes;
    }

    private void RestoreResizes(IReadOnlyList<PodResizeSnapshot> resizes)
    {
        _resizes.Clear();
        foreach (PodResizeSnapshot r in resizes)
        {
            _resizes[r.PodUid] = new PodResizeRecord(r.Desired, r.InForce, r.Outcome, r.Reason);
        }
    }
}
