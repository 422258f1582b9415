using ResMgrLite.Engine;
using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.TopologyManagement;
using ResMgrLite.TestSupport;

namespace ResMgrLite.Engine.Tests;

/// <summary>
/// Randomized invariants: random machines × random admit/release sequences (classic pods,
/// pod-level budgets, init containers, sidecars, restarts). Seeds are fixed so a failure names
/// the seed that reproduces it.
/// </summary>
public sealed class EngineInvariantTests
{
    private const long Gi = 1L << 30;

    private sealed record Step(bool Admit, PodSpec Pod, ContainerSpec Container, string ContainerId);

    [Fact]
    public void Random_sequences_keep_the_cpu_invariants()
    {
        int exclusive = 0, podShared = 0, refused = 0;
        for (int seed = 1; seed <= 300; seed++)
        {
            var (engine, steps) = Scenario(seed);
            var log = Execute(engine, steps, seed);
            exclusive += log.Count(l => l.EndsWith(" Container", StringComparison.Ordinal));
            podShared += log.Count(l => l.EndsWith(" Pod", StringComparison.Ordinal));
            refused += log.Count(l => l.StartsWith('!'));
            var (engine2, steps2) = Scenario(seed);
            var log2 = Execute(engine2, steps2, seed);
            Assert.True(log.SequenceEqual(log2), $"seed {seed}: the same inputs gave different outputs");
        }

        // The generator must exercise every path, or the invariants prove little.
        Assert.True(exclusive > 300, $"only {exclusive} exclusive admissions");
        Assert.True(podShared > 50, $"only {podShared} pod shared-pool admissions");
        Assert.True(refused > 20, $"only {refused} refusals");
    }

    private static (ResourceEngine Engine, List<Step> Steps) Scenario(int seed)
    {
        var random = new Random(seed);
        int sockets = random.Next(1, 3), numaPerSocket = random.Next(1, 3), cores = random.Next(2, 7), threads = random.Next(1, 3);
        CpuTopology topology = KubeletFixtures.Synthetic(sockets, numaPerSocket, cores, threads);
        var policies = new[] { TopologyPolicy.None, TopologyPolicy.BestEffort, TopologyPolicy.Restricted, TopologyPolicy.SingleNumaNode };
        var tm = new TopologyManagerOptions
        {
            Policy = policies[random.Next(policies.Length)],
            Scope = random.Next(2) == 0 ? TopologyScope.Container : TopologyScope.Pod,
        };
        var cpu = new CpuManagerOptions
        {
            ReservedCpuCount = random.Next(1, 3),
            StrictCpuReservation = random.Next(4) == 0,
            FullPcpusOnly = threads > 1 && random.Next(4) == 0,
        };
        var engine = TestEngine.Create(topology, tm, cpu);

        var steps = new List<Step>();
        var live = new List<(PodSpec Pod, ContainerSpec Container, string Id)>();
        int nextId = 0;
        for (int p = 0; p < 14; p++)
        {
            int qos = random.Next(4);
            bool podLevel = qos == 3;
            PodSpec pod = podLevel
                ? new PodSpec($"pod{p}", $"pod{p}", "ns", QosClass.Guaranteed, new ContainerResources(random.Next(1, 5) * 1000, 0, 2 * Gi, 2 * Gi) with { CpuLimitMilli = 0 })
                : new PodSpec($"pod{p}", $"pod{p}", "ns", qos == 0 ? QosClass.Guaranteed : qos == 1 ? QosClass.Burstable : QosClass.BestEffort);
            if (podLevel)
            {
                var budget = pod.PodLevel!.Value;
                pod = new PodSpec(pod.Uid, pod.Name, pod.Namespace, QosClass.Guaranteed, budget with { CpuLimitMilli = budget.CpuRequestMilli });
            }
            int count = random.Next(1, 5);
            for (int c = 0; c < count; c++)
            {
                ContainerRole role = c == 0 && random.Next(3) == 0 ? ContainerRole.Init : c == 1 && random.Next(4) == 0 ? ContainerRole.Sidecar : ContainerRole.App;
                long cpuMilli = random.Next(4) switch { 0 => 0, 1 => 500, 2 => 1000, _ => 2000 };
                ContainerResources r = pod.Qos == QosClass.BestEffort || (podLevel && random.Next(2) == 0)
                    ? default
                    : new ContainerResources(cpuMilli, pod.Qos == QosClass.Guaranteed ? cpuMilli : cpuMilli * 2, Gi, pod.Qos == QosClass.Guaranteed ? Gi : 2 * Gi);
                var container = new ContainerSpec($"c{c}", role, r);
                string id = $"id{nextId++}";
                steps.Add(new Step(true, pod, container, id));
                live.Add((pod, container, id));
                if (random.Next(5) == 0 && live.Count > 0)
                {
                    var victim = live[random.Next(live.Count)];
                    live.Remove(victim);
                    steps.Add(new Step(false, victim.Pod, victim.Container, victim.Id));
                }
            }
        }
        foreach (var item in live.OrderBy(_ => random.Next()))
        {
            steps.Add(new Step(false, item.Pod, item.Container, item.Id));
        }
        return (engine, steps);
    }

    private static List<string> Execute(ResourceEngine engine, List<Step> steps, int seed)
    {
        var log = new List<string>();
        StaticCpuPolicy policy = engine.Cpu!;
        var admitted = new Dictionary<ContainerKey, string>();
        foreach (Step step in steps)
        {
            var key = new ContainerKey(step.Pod.Uid, step.Container.Name);
            if (step.Admit)
            {
                if (!step.Pod.Containers.Contains(step.Container))
                {
                    step.Pod.Containers.Add(step.Container);
                }
                bool ok = engine.TryAdmitContainer(step.Pod, step.Container, step.ContainerId, out ContainerDecision d, out string? error);
                log.Add(ok ? $"+{key} {d.Cpu.Cpus} {d.Cpu.Level}" : $"!{key} {error}");
                if (ok)
                {
                    Assert.False(d.Cpu.Cpus.IsEmpty, $"seed {seed}: empty cpuset for {key}");
                    admitted[key] = step.ContainerId;
                }
            }
            else if (admitted.Remove(key))
            {
                log.Add($"-{key} {engine.ReleaseContainer(new ContainerKey(key.PodUid, key.Name), step.ContainerId)}");
            }
            CheckInvariants(policy, admitted.Keys, seed);
        }
        return log;
    }

    private static void CheckInvariants(StaticCpuPolicy policy, IEnumerable<ContainerKey> live, int seed)
    {
        CpuTopology topology = policy.Topology;
        // Holders of CPUs taken from the node pool: classic exclusive entries (per pod, init reuse may
        // overlap inside a pod) and pod budgets.
        var perPod = new Dictionary<string, CpuSet>();
        foreach (var (key, entry) in policy.Containers)
        {
            if (entry.Kind == CpuAssignmentKind.Exclusive && !policy.Pods.ContainsKey(key.PodUid))
            {
                perPod[key.PodUid] = perPod.GetValueOrDefault(key.PodUid).Union(entry.Cpus);
            }
        }
        foreach (var (uid, pod) in policy.Pods)
        {
            Assert.False(perPod.ContainsKey(uid), $"seed {seed}: pod {uid} has both a budget and node-pool slices");
            perPod[uid] = pod.Bubble;
            Assert.True(pod.SharedPool.IsSubsetOf(pod.Bubble), $"seed {seed}: pod shared pool outside the budget");
        }
        CpuSet taken = default;
        foreach (var (uid, cpus) in perPod)
        {
            Assert.False(taken.Overlaps(cpus), $"seed {seed}: pod {uid} holds CPUs {cpus.Intersect(taken)} that another pod holds");
            taken = taken.Union(cpus);
        }
        CpuSet expectedDefault = topology.AllCpus.Except(taken);
        if (policy.Options.StrictCpuReservation)
        {
            expectedDefault = expectedDefault.Except(policy.Reserved);
        }
        Assert.True(expectedDefault == policy.DefaultSet, $"seed {seed}: shared pool {policy.DefaultSet} != all - reserved - exclusive {expectedDefault}");
        Assert.False(taken.Overlaps(policy.Reserved), $"seed {seed}: reserved CPUs were handed out exclusively");
        foreach (ContainerKey key in live)
        {
            Assert.False(policy.EffectiveCpus(key).IsEmpty, $"seed {seed}: live container {key} has an empty cpuset");
        }
    }
}
