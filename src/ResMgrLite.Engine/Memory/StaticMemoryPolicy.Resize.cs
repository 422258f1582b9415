using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ResMgrLite.Engine.Resize;

namespace ResMgrLite.Engine.Memory;

// In-place resize of a KEP-5526 pod memory budget: the budget keeps its NUMA nodes (its containers
// are pinned there); it grows from their free memory or shrinks down to its exclusive slices.
internal sealed partial class StaticMemoryPolicy
{
    /// <summary>
    /// Whether the pod's memory budget can become <paramref name="newBytes"/> (hugepages keep their
    /// size). Deferred when its NUMA nodes lack the free memory now; infeasible when they can never
    /// hold it or when it would fall below the exclusive slices of its Guaranteed containers.
    /// </summary>
    public ResizeOutcome PlanBudgetResize(string podUid, long newBytes, out string reason)
    {
        reason = "";
        if (!_pods.TryGetValue(podUid, out PodMemoryEntry budget) || newBytes <= 0 || newBytes == budget.Totals.Memory)
        {
            return ResizeOutcome.Unchanged;
        }
        string nodes = NumaNodeList.Format(budget.Mask);
        long slices = budget.SidecarMemory.Memory + budget.AppExclusive.Memory;
        if (newBytes < budget.Totals.Memory)
        {
            if (newBytes < slices)
            {
                reason = $"the exclusive slices of the pod's Guaranteed containers hold {slices} bytes: the budget cannot shrink to {newBytes} (slices stay as they are)";
                return ResizeOutcome.Infeasible;
            }
            return ResizeOutcome.Applied;
        }
        _state.Sum(budget.Mask, MemoryResource.Memory, out long free, out long allocatable);
        if (newBytes > allocatable)
        {
            reason = $"the budget's memory stays on NUMA node(s) {nodes}, which hold {allocatable} allocatable bytes: {newBytes} can never fit";
            return ResizeOutcome.Infeasible;
        }
        long more = newBytes - budget.Totals.Memory;
        if (more > free)
        {
            reason = $"{more} more bytes are needed on NUMA node(s) {nodes}, {free} are free";
            return ResizeOutcome.Deferred;
        }
        return ResizeOutcome.Applied;
    }

    /// <summary>Applies a plan of <see cref="PlanBudgetResize"/>: the budget's block is charged at its new size.</summary>
    public void CommitBudgetResize(string podUid, long newBytes)
    {
        ref PodMemoryEntry budget = ref CollectionsMarshal.GetValueRefOrNullRef(_pods, podUid);
        if (Unsafe.IsNullRef(ref budget) || newBytes <= 0 || newBytes == budget.Totals.Memory)
        {
            return;
        }
        // One block per resource: released at the old size and charged at the new one keeps the block count.
        _state.Release(budget.Mask, MemoryResource.Memory, budget.Totals.Memory);
        _state.Charge(budget.Mask, MemoryResource.Memory, newBytes);
        budget.Totals.Memory = newBytes;
        Version++;
        ExclusiveVersion++;
    }
}
