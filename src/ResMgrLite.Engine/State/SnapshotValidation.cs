using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Model;

namespace ResMgrLite.Engine.State;

/// <summary>
/// Checks a checkpoint against the machine and the configured CPU manager before it is trusted:
/// the kubelet's start-up validation (docs/kubelet-rules.md §3.11) plus the invariants the
/// plugin relies on to fail closed (no CPU in two pods' exclusive sets, no empty cpuset).
/// </summary>
internal static class SnapshotValidation
{
    public const string StaticPolicyName = "static";
    public const string NonePolicyName = "none";

    /// <summary>Every problem found; empty when the snapshot can be restored as is.</summary>
    public static List<string> Check(EngineSnapshot snapshot, CpuTopology topology, StaticCpuPolicy? cpu)
    {
        var problems = new List<string>();
        string configured = cpu is null ? NonePolicyName : StaticPolicyName;
        if (!string.Equals(snapshot.CpuPolicy, configured, StringComparison.Ordinal))
        {
            // §3.11: the kubelet refuses to start; the operator drains the node and deletes the file.
            problems.Add($"configured CPU manager policy \"{configured}\" is different from \"{snapshot.CpuPolicy}\" in the state file");
            return problems;
        }
        foreach (PodHintSnapshot hint in snapshot.PodHints)
        {
            if ((hint.NumaMask & ~topology.AllNumaMask) != 0)
            {
                problems.Add($"pod {hint.PodUid}: stored topology hint {hint.NumaMask:x} names NUMA nodes this machine does not have");
            }
        }
        if (cpu is null)
        {
            if (snapshot.Containers.Count > 0 || snapshot.Pods.Count > 0)
            {
                problems.Add("policy \"none\" state holds CPU assignments");
            }
            return problems;
        }
        CheckCpu(snapshot, topology, cpu, problems);
        return problems;
    }

    private static void CheckCpu(EngineSnapshot snapshot, CpuTopology topology, StaticCpuPolicy cpu, List<string> problems)
    {
        if (snapshot.ReservedCpus != cpu.Reserved)
        {
            problems.Add($"reserved CPUs changed: the state was written with \"{snapshot.ReservedCpus}\", the configuration reserves \"{cpu.Reserved}\"");
            return;
        }
        bool strict = cpu.Options.StrictCpuReservation;
        CpuSet allCpus = strict ? topology.AllCpus.Except(cpu.Reserved) : topology.AllCpus;
        CpuSet defaultSet = snapshot.DefaultCpus;
        if (!defaultSet.IsSubsetOf(topology.AllCpus))
        {
            problems.Add($"default CPU set \"{defaultSet}\" names CPUs this machine does not have (online: \"{topology.AllCpus}\")");
        }
        if (strict && defaultSet.Overlaps(cpu.Reserved))
        {
            problems.Add($"strict reservation: default CPU set \"{defaultSet}\" holds reserved CPUs \"{defaultSet.Intersect(cpu.Reserved)}\"");
        }
        if (!strict && !cpu.Reserved.IsSubsetOf(defaultSet))
        {
            problems.Add($"reserved CPUs \"{cpu.Reserved}\" are not all in the default CPU set \"{defaultSet}\"");
        }

        var pods = new Dictionary<string, PodCpuSnapshot>(StringComparer.Ordinal);
        foreach (PodCpuSnapshot pod in snapshot.Pods)
        {
            if (!pods.TryAdd(pod.PodUid, pod))
            {
                problems.Add($"pod {pod.PodUid}: two pod-level entries");
                continue;
            }
            if (pod.Bubble.IsEmpty || !pod.SidecarCpus.IsSubsetOf(pod.Bubble) || !pod.SharedPool.IsSubsetOf(pod.Bubble) || pod.SidecarCpus.Overlaps(pod.SharedPool))
            {
                problems.Add($"pod {pod.PodUid}: inconsistent pod-level entry (budget \"{pod.Bubble}\", sidecars \"{pod.SidecarCpus}\", shared pool \"{pod.SharedPool}\")");
            }
        }

        // Exclusive CPUs per pod: a pod's own containers may share CPUs (init reuse, §3.9), two pods never.
        var perPod = new Dictionary<string, CpuSet>(StringComparer.Ordinal);
        var keys = new HashSet<ContainerKey>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var members = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (ContainerCpuSnapshot c in snapshot.Containers)
        {
            string who = $"container {c.ContainerName} of pod {c.PodUid} ({c.ContainerId})";
            if (!keys.Add(new ContainerKey(c.PodUid, c.ContainerName)))
            {
                problems.Add($"{who}: two entries");
            }
            if (c.ContainerId.Length > 0 && !ids.Add(c.ContainerId))
            {
                problems.Add($"{who}: container id used by two entries");
            }
            bool inBudget = pods.TryGetValue(c.PodUid, out PodCpuSnapshot? pod);
            if (inBudget)
            {
                members[c.PodUid] = members.GetValueOrDefault(c.PodUid) + 1;
            }
            switch (c.Kind)
            {
                case CpuAssignmentKind.NodeShared:
                    if (inBudget)
                    {
                        problems.Add($"{who}: on the node shared pool although its pod has a pod-level budget");
                    }
                    if (defaultSet.IsEmpty)
                    {
                        problems.Add($"{who}: runs on the node shared pool, which is empty");
                    }
                    break;
                case CpuAssignmentKind.Exclusive:
                case CpuAssignmentKind.PodInitPool:
                    if (c.Cpus.IsEmpty)
                    {
                        problems.Add($"{who}: empty CPU set");
                    }
                    if (inBudget)
                    {
                        if (!c.Cpus.IsSubsetOf(pod!.Bubble))
                        {
                            problems.Add($"{who}: CPUs \"{c.Cpus}\" outside its pod budget \"{pod.Bubble}\"");
                        }
                    }
                    else if (c.Kind == CpuAssignmentKind.PodInitPool)
                    {
                        problems.Add($"{who}: pod init pool entry without a pod-level budget");
                    }
                    else
                    {
                        perPod[c.PodUid] = perPod.GetValueOrDefault(c.PodUid).Union(c.Cpus);
                    }
                    break;
                case CpuAssignmentKind.PodShared:
                    if (!inBudget)
                    {
                        problems.Add($"{who}: pod shared pool entry without a pod-level budget");
                    }
                    else if (pod!.SharedPool.IsEmpty)
                    {
                        problems.Add($"{who}: its pod's shared pool is empty");
                    }
                    break;
                default:
                    problems.Add($"{who}: unknown assignment kind {(int)c.Kind}");
                    break;
            }
        }
        foreach (PodCpuSnapshot pod in pods.Values)
        {
            if (members.GetValueOrDefault(pod.PodUid) != pod.Containers)
            {
                problems.Add($"pod {pod.PodUid}: pod-level entry counts {pod.Containers} containers, the state holds {members.GetValueOrDefault(pod.PodUid)}");
            }
            perPod[pod.PodUid] = perPod.GetValueOrDefault(pod.PodUid).Union(pod.Bubble);
        }

        CpuSet assigned = default;
        var podUids = new string[perPod.Count];
        perPod.Keys.CopyTo(podUids, 0);
        Array.Sort(podUids, StringComparer.Ordinal);
        foreach (string podUid in podUids)
        {
            var pair = KeyValuePair.Create(podUid, perPod[podUid]);
            if (pair.Value.Overlaps(assigned))
            {
                problems.Add($"pod {pair.Key}: exclusive CPUs \"{pair.Value.Intersect(assigned)}\" are also assigned to another pod");
            }
            if (pair.Value.Overlaps(defaultSet))
            {
                problems.Add($"pod {pair.Key}: exclusive CPUs \"{pair.Value.Intersect(defaultSet)}\" are also in the default CPU set");
            }
            if (pair.Value.Overlaps(cpu.Reserved))
            {
                problems.Add($"pod {pair.Key}: exclusive CPUs \"{pair.Value.Intersect(cpu.Reserved)}\" are reserved");
            }
            assigned = assigned.Union(pair.Value);
        }

        if (snapshot.CpuReuse is { } reuse && !reuse.Cpus.IsSubsetOf(perPod.GetValueOrDefault(reuse.PodUid)))
        {
            problems.Add($"pod {reuse.PodUid}: reusable init CPUs \"{reuse.Cpus}\" are not CPUs the pod holds");
        }

        // §3.11: detects CPU hot-unplug and changed reservations.
        CpuSet stored = defaultSet.Union(assigned);
        if (stored != allCpus)
        {
            problems.Add($"current set of available CPUs \"{allCpus}\" doesn't match with CPUs in state \"{stored}\"");
        }
    }
}
