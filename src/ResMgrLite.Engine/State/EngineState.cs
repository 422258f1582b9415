using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.MemoryQos;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.TopologyManagement;

namespace ResMgrLite.Engine.State;

/// <summary>
/// Between the managers' live tables and <see cref="EngineSnapshot"/>: capture in a stable order (equal
/// states give equal files), and restore all or nothing after <see cref="SnapshotValidation"/>.
/// </summary>
internal static class EngineState
{
    public static EngineSnapshot Capture(StaticCpuPolicy? cpu, StaticMemoryPolicy? memory, IReadOnlyDictionary<string, TopologyHint> podHints, MemoryQosAccounting? accounting)
    {
        // Loops over sorted keys rather than LINQ: each OrderBy/Select chain over these key-value
        // structs was its own set of generic instantiations in the image.
        string[] hintPods = OrdinalKeys(podHints);
        var hints = new PodHintSnapshot[hintPods.Length];
        for (int i = 0; i < hintPods.Length; i++)
        {
            TopologyHint hint = podHints[hintPods[i]];
            hints[i] = new PodHintSnapshot(hintPods[i], hint.Mask, hint.Preferred);
        }
        MemorySnapshot? memorySnapshot = memory is null ? null : CaptureMemory(memory);
        MemoryQosSnapshot? memoryQos = null;
        if (accounting is not null)
        {
            string[] qosPods = OrdinalKeys(accounting.Pods);
            var pods = new PodMemoryQosSnapshot[qosPods.Length];
            for (int i = 0; i < qosPods.Length; i++)
            {
                (QosClass qos, long requestBytes) = accounting.Pods[qosPods[i]];
                pods[i] = new PodMemoryQosSnapshot(qosPods[i], qos, requestBytes);
            }
            memoryQos = new MemoryQosSnapshot { Pods = pods };
        }
        if (cpu is null)
        {
            return new EngineSnapshot { CpuPolicy = SnapshotValidation.NonePolicyName, PodHints = hints, Memory = memorySnapshot, MemoryQos = memoryQos };
        }
        ContainerKey[] cpuContainerKeys = SortedKeys(cpu.Containers);
        var cpuContainers = new ContainerCpuSnapshot[cpuContainerKeys.Length];
        for (int i = 0; i < cpuContainerKeys.Length; i++)
        {
            ContainerKey key = cpuContainerKeys[i];
            ContainerCpuEntry entry = cpu.Containers[key];
            cpuContainers[i] = new ContainerCpuSnapshot(key.PodUid, key.Name, entry.ContainerId ?? "", entry.Kind, entry.Eligible, entry.Role, entry.Cpus);
        }
        string[] cpuPodUids = OrdinalKeys(cpu.Pods);
        var cpuPods = new PodCpuSnapshot[cpuPodUids.Length];
        for (int i = 0; i < cpuPodUids.Length; i++)
        {
            PodCpuEntry entry = cpu.Pods[cpuPodUids[i]];
            cpuPods[i] = new PodCpuSnapshot(cpuPodUids[i], entry.Bubble, entry.SidecarCpus, entry.SharedPool, entry.Containers);
        }
        return new EngineSnapshot
        {
            CpuPolicy = SnapshotValidation.StaticPolicyName,
            ReservedCpus = cpu.Reserved,
            DefaultCpus = cpu.DefaultSet,
            Containers = cpuContainers,
            Pods = cpuPods,
            PodHints = hints,
            CpuReuse = cpu.InitReuse is { PodUid: { } cpuReusePod, Cpus.IsEmpty: false } cpuReuse ? new CpuReuseSnapshot(cpuReusePod, cpuReuse.Cpus) : null,
            Memory = memorySnapshot,
            MemoryQos = memoryQos,
        };
    }

    private static MemorySnapshot CaptureMemory(StaticMemoryPolicy memory)
    {
        ContainerKey[] containerKeys = SortedKeys(memory.Containers);
        var containers = new ContainerMemorySnapshot[containerKeys.Length];
        for (int i = 0; i < containerKeys.Length; i++)
        {
            ContainerKey key = containerKeys[i];
            ContainerMemoryEntry entry = memory.Containers[key];
            containers[i] = new ContainerMemorySnapshot(key.PodUid, key.Name, entry.ContainerId ?? "", entry.Kind, entry.Role, entry.Mask, entry.Blocks, entry.Resources);
        }
        string[] podUids = OrdinalKeys(memory.Pods);
        var pods = new PodMemorySnapshot[podUids.Length];
        for (int i = 0; i < podUids.Length; i++)
        {
            PodMemoryEntry entry = memory.Pods[podUids[i]];
            pods[i] = new PodMemorySnapshot(podUids[i], entry.Mask, entry.Totals, entry.SidecarMemory, entry.AppExclusive, entry.Containers);
        }
        MemoryReuseSnapshot? reuseSnapshot = null;
        if (memory.InitReuse is { PodUid: { } reusePod, Amounts.Count: > 0 } reuse)
        {
            var masks = new ulong[reuse.Amounts.Count];
            int n = 0;
            foreach (ulong mask in reuse.Amounts.Keys)
            {
                masks[n++] = mask;
            }
            Array.Sort(masks);
            var amounts = new MemoryReuseAmount[masks.Length];
            for (int i = 0; i < masks.Length; i++)
            {
                amounts[i] = new MemoryReuseAmount(masks[i], reuse.Amounts[masks[i]]);
            }
            reuseSnapshot = new MemoryReuseSnapshot(reusePod, amounts);
        }
        return new MemorySnapshot { Containers = containers, Pods = pods, Reuse = reuseSnapshot };
    }

    /// <summary>The keys in ordinal order, so equal states give equal files.</summary>
    private static string[] OrdinalKeys<TValue>(IReadOnlyDictionary<string, TValue> table)
    {
        var keys = new string[table.Count];
        int n = 0;
        foreach (string key in table.Keys)
        {
            keys[n++] = key;
        }
        Array.Sort(keys, StringComparer.Ordinal);
        return keys;
    }

    /// <summary>The container keys by pod uid, then name (ordinal).</summary>
    private static ContainerKey[] SortedKeys<TValue>(IReadOnlyDictionary<ContainerKey, TValue> table)
    {
        var keys = new ContainerKey[table.Count];
        int n = 0;
        foreach (ContainerKey key in table.Keys)
        {
            keys[n++] = key;
        }
        Array.Sort(keys, static (a, b) =>
        {
            int byPod = string.CompareOrdinal(a.PodUid, b.PodUid);
            return byPod != 0 ? byPod : string.CompareOrdinal(a.Name, b.Name);
        });
        return keys;
    }

    /// <summary>Validates <paramref name="snapshot"/> and, only when it fits, replaces the managers' state; returns the problems.</summary>
    public static List<string> Restore(EngineSnapshot snapshot, CpuTopology topology, StaticCpuPolicy? cpu, StaticMemoryPolicy? memory)
    {
        List<string> problems = SnapshotValidation.Check(snapshot, topology, cpu);
        if ((memory is null) != (snapshot.Memory is null))
        {
            // docs/kubelet-rules.md §4.7/§3.11: a policy change needs a drained node.
            problems.Add($"configured memory manager policy \"{(memory is null ? "None" : "Static")}\" is different from \"{(snapshot.Memory is null ? "None" : "Static")}\" in the state file");
        }
        if (problems.Count > 0)
        {
            return problems;
        }
        if (memory is not null)
        {
            // Validates and, only when it fits, replaces the memory state; CPU state is replaced after.
            MemorySnapshot m = snapshot.Memory!;
            var containers = new List<KeyValuePair<ContainerKey, ContainerMemoryEntry>>(m.Containers.Count);
            foreach (ContainerMemorySnapshot c in m.Containers)
            {
                containers.Add(KeyValuePair.Create(new ContainerKey(c.PodUid, c.ContainerName), new ContainerMemoryEntry
                {
                    Kind = c.Kind, Role = c.Role, ContainerId = c.ContainerId, Mask = c.NumaMask, Blocks = c.Blocks, Resources = c.Resources,
                }));
            }
            var pods = new List<KeyValuePair<string, PodMemoryEntry>>(m.Pods.Count);
            foreach (PodMemorySnapshot p in m.Pods)
            {
                pods.Add(KeyValuePair.Create(p.PodUid, new PodMemoryEntry
                {
                    Mask = p.NumaMask, Totals = p.Totals, SidecarMemory = p.SidecarMemory, AppExclusive = p.AppExclusive, Containers = p.Containers,
                }));
            }
            var reuse = new List<KeyValuePair<ulong, MemoryAmounts>>();
            foreach (MemoryReuseAmount a in m.Reuse?.Amounts ?? [])
            {
                reuse.Add(KeyValuePair.Create(a.NumaMask, a.Amounts));
            }
            List<string> memoryProblems = memory.ReplaceState(containers, pods, m.Reuse?.PodUid, reuse);
            if (memoryProblems.Count > 0)
            {
                return memoryProblems;
            }
        }
        if (cpu is not null)
        {
            var containers = new List<KeyValuePair<ContainerKey, ContainerCpuEntry>>(snapshot.Containers.Count);
            foreach (ContainerCpuSnapshot c in snapshot.Containers)
            {
                containers.Add(KeyValuePair.Create(
                    new ContainerKey(c.PodUid, c.ContainerName),
                    new ContainerCpuEntry { Kind = c.Kind, Eligible = c.Eligible, Role = c.Role, ContainerId = c.ContainerId, Cpus = c.Cpus }));
            }
            var pods = new List<KeyValuePair<string, PodCpuEntry>>(snapshot.Pods.Count);
            foreach (PodCpuSnapshot p in snapshot.Pods)
            {
                pods.Add(KeyValuePair.Create(
                    p.PodUid,
                    new PodCpuEntry { Bubble = p.Bubble, SidecarCpus = p.SidecarCpus, SharedPool = p.SharedPool, Containers = p.Containers }));
            }
            cpu.ReplaceState(snapshot.DefaultCpus, containers, pods, snapshot.CpuReuse?.PodUid, snapshot.CpuReuse?.Cpus ?? default);
        }
        return problems;
    }
}
