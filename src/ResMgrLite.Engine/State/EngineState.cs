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
        PodHintSnapshot[] hints = podHints.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new PodHintSnapshot(p.Key, p.Value.Mask, p.Value.Preferred)).ToArray();
        MemorySnapshot? memorySnapshot = memory is null ? null : new MemorySnapshot
        {
            Containers = memory.Containers
                .OrderBy(p => p.Key.PodUid, StringComparer.Ordinal).ThenBy(p => p.Key.Name, StringComparer.Ordinal)
                .Select(p => new ContainerMemorySnapshot(p.Key.PodUid, p.Key.Name, p.Value.ContainerId ?? "", p.Value.Kind, p.Value.Role, p.Value.Mask, p.Value.Blocks, p.Value.Resources))
                .ToArray(),
            Pods = memory.Pods.OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => new PodMemorySnapshot(p.Key, p.Value.Mask, p.Value.Totals, p.Value.SidecarMemory, p.Value.AppExclusive, p.Value.Containers))
                .ToArray(),
            Reuse = memory.InitReuse is { PodUid: { } reusePod, Amounts.Count: > 0 } reuse
                ? new MemoryReuseSnapshot(reusePod, reuse.Amounts.OrderBy(a => a.Key).Select(a => new MemoryReuseAmount(a.Key, a.Value)).ToArray())
                : null,
        };
        MemoryQosSnapshot? memoryQos = accounting is null ? null : new MemoryQosSnapshot
        {
            Pods = accounting.Pods.OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => new PodMemoryQosSnapshot(p.Key, p.Value.Qos, p.Value.RequestBytes)).ToArray(),
        };
        if (cpu is null)
        {
            return new EngineSnapshot { CpuPolicy = SnapshotValidation.NonePolicyName, PodHints = hints, Memory = memorySnapshot, MemoryQos = memoryQos };
        }
        return new EngineSnapshot
        {
            CpuPolicy = SnapshotValidation.StaticPolicyName,
            ReservedCpus = cpu.Reserved,
            DefaultCpus = cpu.DefaultSet,
            Containers = cpu.Containers
                .OrderBy(p => p.Key.PodUid, StringComparer.Ordinal).ThenBy(p => p.Key.Name, StringComparer.Ordinal)
                .Select(p => new ContainerCpuSnapshot(p.Key.PodUid, p.Key.Name, p.Value.ContainerId ?? "", p.Value.Kind, p.Value.Eligible, p.Value.Role, p.Value.Cpus))
                .ToArray(),
            Pods = cpu.Pods.OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => new PodCpuSnapshot(p.Key, p.Value.Bubble, p.Value.SidecarCpus, p.Value.SharedPool, p.Value.Containers))
                .ToArray(),
            PodHints = hints,
            CpuReuse = cpu.InitReuse is { PodUid: { } cpuReusePod, Cpus.IsEmpty: false } cpuReuse ? new CpuReuseSnapshot(cpuReusePod, cpuReuse.Cpus) : null,
            Memory = memorySnapshot,
            MemoryQos = memoryQos,
        };
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
            List<string> memoryProblems = memory.ReplaceState(
                m.Containers.Select(c => KeyValuePair.Create(new ContainerKey(c.PodUid, c.ContainerName), new ContainerMemoryEntry
                {
                    Kind = c.Kind, Role = c.Role, ContainerId = c.ContainerId, Mask = c.NumaMask, Blocks = c.Blocks, Resources = c.Resources,
                })).ToList(),
                m.Pods.Select(p => KeyValuePair.Create(p.PodUid, new PodMemoryEntry
                {
                    Mask = p.NumaMask, Totals = p.Totals, SidecarMemory = p.SidecarMemory, AppExclusive = p.AppExclusive, Containers = p.Containers,
                })).ToList(),
                m.Reuse?.PodUid,
                m.Reuse?.Amounts.Select(a => KeyValuePair.Create(a.NumaMask, a.Amounts)) ?? []);
            if (memoryProblems.Count > 0)
            {
                return memoryProblems;
            }
        }
        cpu?.ReplaceState(
            snapshot.DefaultCpus,
            snapshot.Containers.Select(c => KeyValuePair.Create(
                new ContainerKey(c.PodUid, c.ContainerName),
                new ContainerCpuEntry { Kind = c.Kind, Eligible = c.Eligible, Role = c.Role, ContainerId = c.ContainerId, Cpus = c.Cpus })),
            snapshot.Pods.Select(p => KeyValuePair.Create(
                p.PodUid,
                new PodCpuEntry { Bubble = p.Bubble, SidecarCpus = p.SidecarCpus, SharedPool = p.SharedPool, Containers = p.Containers })),
            snapshot.CpuReuse?.PodUid,
            snapshot.CpuReuse?.Cpus ?? default);
        return problems;
    }
}
