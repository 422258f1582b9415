using System.Numerics;
using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.TopologyManagement;
using static ResMgrLite.Engine.Tests.Memory.MemoryTestMachines;

namespace ResMgrLite.Engine.Tests.Memory;

/// <summary>
/// Randomized invariants of the memory machine state over random admit/release sequences (classic
/// pods, init containers, sidecars, hugepages, pod-level budgets, random and missing hints). Seeds
/// are fixed so a failure names the seed that reproduces it.
/// </summary>
public sealed class MemoryInvariantTests
{
    [Fact]
    public void Random_admit_release_sequences_keep_the_machine_state_consistent()
    {
        int admitted = 0, refused = 0, multiNode = 0, podBudgets = 0, reused = 0;
        for (int seed = 1; seed <= 200; seed++)
        {
            var random = new Random(seed);
            MemoryManagerOptions options = RandomMachine(random);
            var policy = new StaticMemoryPolicy(options);
            string initial = policy.State.ToString();
            bool podScope = random.Next(2) == 0;
            var pods = new List<PodSpec>();
            var live = new List<(PodSpec Pod, ContainerSpec Container)>();
            for (int step = 0; step < 60; step++)
            {
                if (live.Count > 0 && random.Next(3) == 0)
                {
                    var (pod, c) = live[random.Next(live.Count)];
                    policy.Release(new ContainerKey(pod.Uid, c.Name), pod.Uid + "/" + c.Name);
                    live.Remove((pod, c));
                }
                else
                {
                    PodSpec pod = pods.Count > 0 && random.Next(3) > 0 ? pods[random.Next(pods.Count)] : NewPod(random, pods.Count, pods);
                    ContainerSpec c = NewContainer(random, pod);
                    pod.Containers.Add(c);
                    TopologyHint hint = ChooseHint(random, policy, pod, c, podScope, options.Nodes.Count);
                    long reservedBefore = TotalReserved(policy);
                    if (policy.TryAdmit(pod, c, pod.Uid + "/" + c.Name, hint, podScope, out MemoryDecision d, out _))
                    {
                        admitted++;
                        live.Add((pod, c));
                        multiNode += BitOperations.PopCount(d.Mems) > 1 ? 1 : 0;
                        podBudgets += d.Kind is MemoryAssignmentKind.PodShared or MemoryAssignmentKind.PodInitPool ? 1 : 0;
                        if (d.Kind == MemoryAssignmentKind.Exclusive && !policy.Pods.ContainsKey(pod.Uid) && TotalReserved(policy) - reservedBefore < d.Blocks.Memory)
                        {
                            reused++;
                        }
                    }
                    else
                    {
                        refused++;
                        pod.Containers.Remove(c);
                    }
                }
                CheckInvariants(policy, $"seed {seed} step {step}");
            }
            foreach (var (pod, c) in live)
            {
                policy.Release(new ContainerKey(pod.Uid, c.Name), null);
                CheckInvariants(policy, $"seed {seed} teardown");
            }
            Assert.True(initial == policy.State.ToString(), $"seed {seed}: releasing everything did not restore the initial state\n{policy.State}");
        }

        // The generator must exercise every path, or the invariants prove little.
        Assert.True(admitted > 3000, $"only {admitted} admissions");
        Assert.True(refused > 200, $"only {refused} refusals");
        Assert.True(multiNode > 100, $"only {multiNode} multi-NUMA admissions");
        Assert.True(podBudgets > 100, $"only {podBudgets} pod-budget members");
        Assert.True(reused > 20, $"only {reused} init-reuse admissions");
    }

    private static MemoryManagerOptions RandomMachine(Random random)
    {
        int count = random.Next(1, 5);
        var nodes = new List<NumaMemoryInfo>();
        var reserved = new List<ReservedMemoryNode>();
        for (int i = 0; i < count; i++)
        {
            long total = random.Next(4, 33) * Gi;
            nodes.Add(new NumaMemoryInfo(i, total, [new HugePageInfo(2048, random.Next(0, 1024)), new HugePageInfo(1024 * 1024, random.Next(0, 3))]));
            reserved.Add(new ReservedMemoryNode(i, new MemoryAmounts(256 * Mi)));
        }
        return new MemoryManagerOptions { Nodes = nodes, ReservedMemory = reserved };
    }

    private static PodSpec NewPod(Random random, int index, List<PodSpec> pods)
    {
        PodSpec pod = random.Next(4) switch
        {
            0 => new PodSpec($"b{index}", "b", "ns", QosClass.Burstable),
            1 => new PodSpec($"l{index}", "l", "ns", QosClass.Guaranteed, new ContainerResources(2000, 2000, random.Next(1, 12) * Gi, random.Next(1, 12) * Gi, random.Next(3) == 0 ? 128 * Mi : 0) is var r ? r with { MemoryLimitBytes = r.MemoryRequestBytes } : default),
            _ => new PodSpec($"g{index}", "g", "ns", QosClass.Guaranteed),
        };
        pods.Add(pod);
        return pod;
    }

    private static ContainerSpec NewContainer(Random random, PodSpec pod)
    {
        bool started = pod.Containers.Any(c => c.Role == ContainerRole.App);
        ContainerRole role = started ? ContainerRole.App : random.Next(4) switch { 0 => ContainerRole.Init, 1 => ContainerRole.Sidecar, _ => ContainerRole.App };
        string name = $"c{pod.Containers.Count}-{random.Next(1000)}";
        if (pod.HasPodLevelResources && random.Next(2) == 0)
        {
            return new ContainerSpec(name, role, default);
        }
        long memory = random.Next(1, 48) * 256 * Mi;
        long huge2 = random.Next(4) == 0 ? random.Next(1, 256) * 2 * Mi : 0;
        long huge1 = random.Next(8) == 0 ? Gi : 0;
        return new ContainerSpec(name, role, new ContainerResources(1000, 1000, memory, memory, huge2, huge1));
    }

    private static TopologyHint ChooseHint(Random random, StaticMemoryPolicy policy, PodSpec pod, ContainerSpec c, bool podScope, int nodeCount)
    {
        if (podScope)
        {
            policy.PodHints(pod);
        }
        else
        {
            policy.ContainerHints(pod, c);
        }
        HintList list = policy.HintLists[0];
        int choice = random.Next(4);
        if (choice == 0 || list.NoPreference || list.Count == 0)
        {
            return new TopologyHint(0, false);
        }
        if (choice == 1)
        {
            // What a best-effort AND with another provider could leave: any non-empty mask.
            return new TopologyHint((ulong)random.Next(1, 1 << nodeCount), false);
        }
        return list.Hints[random.Next(list.Count)];
    }

    private static long TotalReserved(StaticMemoryPolicy policy)
    {
        long sum = 0;
        for (int i = 0; i < policy.State.NodeCount; i++)
        {
            sum += policy.State.Table(i, MemoryResource.Memory).Reserved;
        }
        return sum;
    }

    private static void CheckInvariants(StaticMemoryPolicy policy, string where)
    {
        MemoryMachineState s = policy.State;
        MemoryAmounts charged = default;
        var assignments = new int[s.NodeCount];
        foreach (var (key, entry) in policy.Containers)
        {
            if (policy.Pods.ContainsKey(key.PodUid))
            {
                continue;
            }
            charged = charged.Plus(entry.Blocks);
            Count(s, assignments, entry.Mask, entry.Resources);
        }
        foreach (PodMemoryEntry budget in policy.Pods.Values)
        {
            charged = charged.Plus(budget.Totals);
            Count(s, assignments, budget.Mask, budget.Totals.PositiveMask);
        }
        for (int r = 0; r < MemoryResources.Count; r++)
        {
            long reserved = 0;
            for (int i = 0; i < s.NodeCount; i++)
            {
                MemoryTable t = s.Table(i, (MemoryResource)r);
                Assert.True(t.Allocatable == t.Reserved + t.Free, $"{where}: node {s.NodeIds[i]} {(MemoryResource)r}: {t}");
                Assert.True(t.Free >= 0 && t.Reserved >= 0, $"{where}: node {s.NodeIds[i]} {(MemoryResource)r}: {t}");
                reserved += t.Reserved;
            }
            Assert.True(reserved == charged[(MemoryResource)r], $"{where}: {(MemoryResource)r} reserved {reserved} but blocks hold {charged[(MemoryResource)r]}\n{s}");
        }
        for (int i = 0; i < s.NodeCount; i++)
        {
            Assert.True(assignments[i] == s.Assignments(i), $"{where}: node {s.NodeIds[i]} counts {s.Assignments(i)} blocks, entries hold {assignments[i]}");
        }
    }

    private static void Count(MemoryMachineState s, int[] assignments, ulong mask, int resources)
    {
        for (int i = 0; i < s.NodeCount; i++)
        {
            if ((mask & (1UL << s.NodeIds[i])) != 0)
            {
                assignments[i] += BitOperations.PopCount((uint)resources);
            }
        }
    }
}
