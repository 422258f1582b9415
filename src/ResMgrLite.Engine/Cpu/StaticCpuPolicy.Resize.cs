using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ResMgrLite.Engine.Resize;

namespace ResMgrLite.Engine.Cpu;

// In-place resize of a KEP-5526 pod budget (KEP-5419 with the static CPU manager): the bubble
// grows or shrinks through its shared pool; the exclusive slices of Guaranteed containers stay.
internal sealed partial class StaticCpuPolicy
{
    /// <summary>
    /// Plans a pod budget of <paramref name="newCount"/> CPUs without changing anything: which CPUs
    /// join it from the node pool (<paramref name="added"/>, on the budget's NUMA nodes first) or leave
    /// it from its shared pool (<paramref name="removed"/>). Deferred when the CPUs are not free now;
    /// infeasible when they never can be (below the slices, beyond the budget's NUMA nodes under
    /// single-numa-node, SMT alignment). <paramref name="reason"/> says why, for either.
    /// </summary>
    public ResizeOutcome PlanBudgetResize(string podUid, int newCount, bool singleNumaNode, out CpuSet added, out CpuSet removed, out string reason)
    {
        added = default;
        removed = default;
        reason = "";
        if (!_pods.TryGetValue(podUid, out PodCpuEntry entry) || newCount == entry.Bubble.Count)
        {
            return ResizeOutcome.Unchanged;
        }
        if (!CheckSmtAlignment(newCount, out string? smt) && newCount % Math.Max(1, _topology.CpusPerCore) != 0)
        {
            reason = smt!;
            return ResizeOutcome.Infeasible;
        }
        int current = entry.Bubble.Count;
        if (newCount < current)
        {
            // Only CPUs of the shared pool that no container of the pod pins (an init slice) may leave.
            CpuSet pinned = PinnedCpusOf(podUid);
            CpuSet candidates = entry.SharedPool.Except(pinned);
            int slices = current - entry.SharedPool.Count;
            int keepShared = HasPodSharedMember(podUid) ? 1 : 0;
            int release = current - newCount;
            if (newCount < slices + keepShared || release > candidates.Count - keepShared)
            {
                reason = $"the exclusive slices of the pod's Guaranteed containers hold {slices} CPU(s)" +
                    (keepShared > 0 ? " and its shared containers need at least one" : "") +
                    $": the budget cannot shrink from {current} to {newCount} CPUs (slices stay as they are)";
                return ResizeOutcome.Infeasible;
            }
            // What stays is taken as the kubelet would pack it; the rest leaves.
            if (!_taker.TryTake(candidates, candidates.Count - release, _takeOptions, out CpuSet kept, out string? error))
            {
                reason = error ?? "no CPUs could be chosen to stay in the budget";
                return ResizeOutcome.Infeasible;
            }
            removed = candidates.Except(kept);
            return ResizeOutcome.Applied;
        }

        int need = newCount - current;
        ulong mask = _topology.NumaMaskOf(entry.Bubble);
        CpuSet nodes = _topology.CpusOfNumaMask(mask);
        if (singleNumaNode && newCount > Allocatable.CountIntersect(nodes))
        {
            reason = $"under the single-numa-node policy the budget stays on NUMA node(s) {Memory.NumaNodeList.Format(mask)}, " +
                $"which hold {Allocatable.CountIntersect(nodes)} allocatable CPUs: {newCount} can never fit";
            return ResizeOutcome.Infeasible;
        }
        CpuSet free = AvailableForExclusive;
        CpuSet aligned = free.Intersect(nodes);
        CpuSet pool = aligned.Count >= need || singleNumaNode ? aligned : free;
        if (pool.Count < need || (_nodeSharedCount > 0 && DefaultSet.Count - need < 1))
        {
            reason = $"{need} more CPU(s) are needed{(singleNumaNode ? $" on NUMA node(s) {Memory.NumaNodeList.Format(mask)}" : "")}, " +
                $"{pool.Count} are free{(_nodeSharedCount > 0 ? " and the node shared pool must keep one" : "")}";
            return ResizeOutcome.Deferred;
        }
        if (!_taker.TryTake(pool, need, _takeOptions, out added, out string? takeError))
        {
            reason = takeError ?? $"{need} CPU(s) could not be taken";
            return ResizeOutcome.Deferred;
        }
        return ResizeOutcome.Applied;
    }

    /// <summary>Applies a plan of <see cref="PlanBudgetResize"/> with no other change in between; true when the node pool changed.</summary>
    public bool CommitBudgetResize(string podUid, in CpuSet added, in CpuSet removed)
    {
        ref PodCpuEntry entry = ref CollectionsMarshal.GetValueRefOrNullRef(_pods, podUid);
        if (Unsafe.IsNullRef(ref entry) || (added.IsEmpty && removed.IsEmpty))
        {
            return false;
        }
        entry.Bubble = entry.Bubble.Union(added).Except(removed);
        entry.SharedPool = entry.SharedPool.Union(added).Except(removed);
        CpuSet before = DefaultSet;
        DefaultSet = DefaultSet.Except(added).Union(removed);
        Version++;
        ExclusiveVersion++;
        return DefaultSet != before;
    }

    /// <summary>CPUs the pod's containers hold as their own (exclusive slices, init pools).</summary>
    private CpuSet PinnedCpusOf(string podUid)
    {
        CpuSet pinned = default;
        foreach (KeyValuePair<Model.ContainerKey, ContainerCpuEntry> pair in _containers)
        {
            if (pair.Value.Kind is CpuAssignmentKind.Exclusive or CpuAssignmentKind.PodInitPool &&
                string.Equals(pair.Key.PodUid, podUid, StringComparison.Ordinal))
            {
                pinned = pinned.Union(pair.Value.Cpus);
            }
        }
        return pinned;
    }
}
