namespace ResMgrLite.Engine.Resize;

/// <summary>
/// How an in-place pod resize was decided, in the words of the kubelet's feasibility check
/// (docs/kubelet-rules.md §7.2): the pod conditions <c>PodResizePending</c> (Deferred,
/// Infeasible) and <c>PodResizeInProgress</c> (applied).
/// </summary>
internal enum ResizeOutcome : byte
{
    /// <summary>The new budget equals the one in force: nothing to do.</summary>
    Unchanged,

    /// <summary>The new budget is in force: pools, pod cgroup and Memory QoS follow it.</summary>
    Applied,

    /// <summary>It would fit the node but not now (e.g. no free CPUs on the pod's NUMA node): the old allocation stays, retried on every release and reconcile.</summary>
    Deferred,

    /// <summary>It can never fit (more than allocatable, than the pod's NUMA nodes hold, or below its exclusive slices): the old allocation stays.</summary>
    Infeasible,
}

/// <summary>Lower-case outcome names for logs, the state file and metric labels.</summary>
internal static class ResizeOutcomes
{
    public static string Name(ResizeOutcome outcome) => outcome switch
    {
        ResizeOutcome.Unchanged => "unchanged",
        ResizeOutcome.Applied => "applied",
        ResizeOutcome.Deferred => "deferred",
        _ => "infeasible",
    };

    public static bool TryParse(string text, out ResizeOutcome outcome)
    {
        for (outcome = ResizeOutcome.Unchanged; outcome <= ResizeOutcome.Infeasible; outcome++)
        {
            if (string.Equals(Name(outcome), text, StringComparison.Ordinal))
            {
                return true;
            }
        }
        outcome = default;
        return false;
    }
}
