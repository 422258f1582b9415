using ResMgrLite.Engine;
using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.State;
using ResMgrLite.Engine.TopologyManagement;
using ResMgrLite.TestSupport;

namespace ResMgrLite.Engine.Tests.State;

/// <summary>Snapshot/Restore and the start-up validation of docs/kubelet-rules.md §3.11.</summary>
public sealed class EngineRestoreTests
{
    private const long Gi = 1L << 30;

    // 2 sockets × 4 cores × 2 threads, one NUMA node per socket: 16 CPUs.
    private static readonly CpuTopology Machine = KubeletFixtures.Synthetic(2, 1, 4, 2);

    private static ResourceEngine NewEngine(string reserved = "0", bool podLevel = true, TopologyScope scope = TopologyScope.Pod, bool cpuManager = true) =>
        TestEngine.Create(Machine,
            new TopologyManagerOptions { Policy = TopologyPolicy.BestEffort, Scope = scope },
            cpuManager ? new CpuManagerOptions { ReservedCpus = CpuSet.Parse(reserved), PodLevelResourceManagers = podLevel } : null);

    private static PodSpec Guaranteed(string uid, params int[] cpus)
    {
        var pod = new PodSpec(uid, uid, "ns", QosClass.Guaranteed);
        for (int i = 0; i < cpus.Length; i++)
        {
            pod.Containers.Add(new ContainerSpec($"c{i}", ContainerRole.App, new ContainerResources(cpus[i] * 1000, cpus[i] * 1000, Gi, Gi)));
        }
        return pod;
    }

    private static PodSpec Burstable(string uid)
    {
        var pod = new PodSpec(uid, uid, "ns", QosClass.Burstable);
        pod.Containers.Add(new ContainerSpec("c0", ContainerRole.App, new ContainerResources(250, 0, 0, 0)));
        return pod;
    }

    private static PodSpec PodBudget(string uid)
    {
        var pod = new PodSpec(uid, uid, "ns", QosClass.Guaranteed, new ContainerResources(4000, 4000, 4 * Gi, 4 * Gi));
        pod.Containers.Add(new ContainerSpec("pinned", ContainerRole.App, new ContainerResources(2000, 2000, Gi, Gi)));
        pod.Containers.Add(new ContainerSpec("shared", ContainerRole.App, new ContainerResources(500, 0, 0, 0)));
        return pod;
    }

    private static void AdmitAll(ResourceEngine engine, PodSpec pod)
    {
        foreach (ContainerSpec c in pod.Containers)
        {
            Assert.True(engine.TryAdmitContainer(pod, c, $"{pod.Uid}-{c.Name}", out _, out string? error), error);
        }
    }

    private static ResourceEngine Populated()
    {
        ResourceEngine engine = NewEngine();
        AdmitAll(engine, Guaranteed("g1", 2, 1));
        AdmitAll(engine, Burstable("b1"));
        AdmitAll(engine, PodBudget("p1"));
        return engine;
    }

    [Fact]
    public void Restored_engine_has_the_same_state_and_decides_the_same_next()
    {
        ResourceEngine original = Populated();
        EngineSnapshot snapshot = original.Snapshot();

        ResourceEngine restarted = NewEngine();
        Assert.Empty(restarted.Restore(snapshot));

        Assert.Equal(snapshot with { }, restarted.Snapshot(), SnapshotComparer.Instance);
        Assert.Equal(original.Cpu!.DefaultSet, restarted.Cpu!.DefaultSet);
        foreach (ContainerCpuSnapshot c in snapshot.Containers)
        {
            Assert.Equal(original.EffectiveCpus(new ContainerKey(c.PodUid, c.ContainerName)), restarted.EffectiveCpus(new ContainerKey(c.PodUid, c.ContainerName)));
        }
        // The next admission and a release behave as if no restart happened.
        PodSpec next = Guaranteed("g2", 3);
        AdmitAll(original, next);
        AdmitAll(restarted, next);
        Assert.Equal(original.EffectiveCpus(new ContainerKey("g2", "c0")), restarted.EffectiveCpus(new ContainerKey("g2", "c0")));
        ReleaseDecision before = original.ReleaseContainer(new ContainerKey("p1", "pinned"), "p1-pinned");
        var widenedBefore = (before.Released, string.Join(",", before.Effects.OtherContainers), before.Effects.NodePoolCpus);
        ReleaseDecision after = restarted.ReleaseContainer(new ContainerKey("p1", "pinned"), "p1-pinned");
        Assert.Equal(widenedBefore, (after.Released, string.Join(",", after.Effects.OtherContainers), after.Effects.NodePoolCpus));
        Assert.Equal(original.Snapshot(), restarted.Snapshot(), SnapshotComparer.Instance);
    }

    [Fact]
    public void Init_reuse_is_restored_only_with_cpus_the_pod_holds()
    {
        ResourceEngine original = NewEngine(scope: TopologyScope.Container);
        var pod = new PodSpec("r1", "r1", "ns", QosClass.Guaranteed);
        var init = new ContainerSpec("init", ContainerRole.Init, new ContainerResources(2000, 2000, Gi, Gi));
        pod.Containers.Add(init);
        Assert.True(original.TryAdmitContainer(pod, init, "r1-init", out ContainerDecision initDecision, out string? error), error);
        EngineSnapshot snapshot = original.Snapshot();
        Assert.Equal(new CpuReuseSnapshot("r1", initDecision.Settings.Cpus), snapshot.CpuReuse);

        ResourceEngine restarted = NewEngine(scope: TopologyScope.Container);
        Assert.Empty(restarted.Restore(snapshot));
        var app = new ContainerSpec("app", ContainerRole.App, new ContainerResources(2000, 2000, Gi, Gi));
        pod.Containers.Add(app);
        Assert.True(restarted.TryAdmitContainer(pod, app, "r1-app", out ContainerDecision appDecision, out error), error);
        Assert.Equal(initDecision.Settings.Cpus, appDecision.Settings.Cpus);

        Assert.Contains(NewEngine(scope: TopologyScope.Container).Restore(snapshot with { CpuReuse = new CpuReuseSnapshot("r1", CpuSet.Parse("7")) }),
            p => p.Contains("reusable init CPUs \"7\" are not CPUs the pod holds", StringComparison.Ordinal));
    }

    [Fact]
    public void Container_ids_are_found_after_restore()
    {
        ResourceEngine restarted = NewEngine();
        Assert.Empty(restarted.Restore(Populated().Snapshot()));
        Assert.True(restarted.TryFindContainer("g1-c1", out ContainerKey key));
        Assert.Equal(new ContainerKey("g1", "c1"), key);
        Assert.False(restarted.TryFindContainer("nope", out _));
    }

    public static TheoryData<string, string> Broken => new()
    {
        { "policy", "configured CPU manager policy \"static\" is different from \"none\"" },
        { "reserved", "reserved CPUs changed" },
        { "overlap", "are also assigned to another pod" },
        { "default-overlap", "are also in the default CPU set" },
        { "lost-cpu", "current set of available CPUs \"0-15\" doesn't match with CPUs in state" },
        { "empty-shared", "runs on the node shared pool, which is empty" },
        { "empty-exclusive", "empty CPU set" },
        { "unknown-cpu", "names CPUs this machine does not have" },
        { "duplicate-id", "container id used by two entries" },
        { "pod-count", "pod-level entry counts" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void Invalid_snapshots_are_reported_and_leave_the_engine_untouched(string damage, string expected)
    {
        EngineSnapshot good = Populated().Snapshot();
        ContainerCpuSnapshot g1c0 = good.Containers.Single(c => c.PodUid == "g1" && c.ContainerName == "c0");
        ContainerCpuSnapshot b1 = good.Containers.Single(c => c.PodUid == "b1");
        EngineSnapshot broken = damage switch
        {
            "policy" => good with { CpuPolicy = "none" },
            "reserved" => good with { ReservedCpus = CpuSet.Parse("0-1") },
            "overlap" => Replace(good, g1c0, g1c0 with { Cpus = g1c0.Cpus.Union(good.Pods[0].Bubble.TakeFirst(1)) }),
            "default-overlap" => Replace(good, g1c0, g1c0 with { Cpus = g1c0.Cpus.With(good.DefaultCpus.Max()) }),
            "lost-cpu" => good with { DefaultCpus = good.DefaultCpus.Without(good.DefaultCpus.Max()) },
            "empty-shared" => good with { DefaultCpus = default },
            "empty-exclusive" => Replace(good, g1c0, g1c0 with { Cpus = default }),
            "unknown-cpu" => good with { DefaultCpus = good.DefaultCpus.With(100) },
            "duplicate-id" => Replace(good, b1, b1 with { ContainerId = g1c0.ContainerId }),
            "pod-count" => good with { Pods = [good.Pods[0] with { Containers = 5 }] },
            _ => throw new ArgumentOutOfRangeException(nameof(damage)),
        };

        ResourceEngine engine = NewEngine();
        AdmitAll(engine, Guaranteed("other", 1));
        EngineSnapshot before = engine.Snapshot();
        IReadOnlyList<string> problems = engine.Restore(broken);

        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
        Assert.Equal(before, engine.Snapshot(), SnapshotComparer.Instance);
    }

    [Fact]
    public void Strict_reservation_state_is_checked_against_all_minus_reserved()
    {
        var strict = new CpuManagerOptions { ReservedCpus = CpuSet.Of(0), StrictCpuReservation = true };
        var engine = TestEngine.Create(Machine, new TopologyManagerOptions(), strict);
        AdmitAll(engine, Guaranteed("g", 2));
        EngineSnapshot snapshot = engine.Snapshot();
        Assert.Empty(TestEngine.Create(Machine, new TopologyManagerOptions(), strict).Restore(snapshot));
        IReadOnlyList<string> problems = TestEngine.Create(Machine, new TopologyManagerOptions(), strict)
            .Restore(snapshot with { DefaultCpus = snapshot.DefaultCpus.With(0) });
        Assert.Contains(problems, p => p.Contains("holds reserved CPUs \"0\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Policy_none_round_trips_and_refuses_static_state()
    {
        ResourceEngine none = NewEngine(cpuManager: false);
        EngineSnapshot snapshot = none.Snapshot();
        Assert.Equal("none", snapshot.CpuPolicy);
        Assert.Empty(NewEngine(cpuManager: false).Restore(snapshot));
        Assert.Contains(NewEngine(cpuManager: false).Restore(Populated().Snapshot()), p => p.Contains("policy \"none\" is different from \"static\"", StringComparison.Ordinal));
    }

    private static ResourceEngine WithMemory(long gibPerNode = 8) =>
        TestEngine.Create(Machine,
            new TopologyManagerOptions { Policy = TopologyPolicy.SingleNumaNode, Scope = TopologyScope.Container },
            new CpuManagerOptions { ReservedCpus = CpuSet.Of(0) },
            new MemoryManagerOptions
            {
                Nodes = Machine.NumaNodeIds.ToArray().Select(id => new NumaMemoryInfo(id, gibPerNode * Gi, [new HugePageInfo(2048, 512)])).ToArray(),
                ReservedMemory = Machine.NumaNodeIds.ToArray().Select(id => new ReservedMemoryNode(id, new MemoryAmounts(Gi))).ToArray(),
            });

    [Fact]
    public void Memory_blocks_round_trip_and_the_machine_state_is_recomputed()
    {
        ResourceEngine original = WithMemory();
        AdmitAll(original, Guaranteed("g1", 2, 1));
        AdmitAll(original, Guaranteed("g2", 3));
        AdmitAll(original, Burstable("b1"));
        EngineSnapshot snapshot = original.Snapshot();
        Assert.NotNull(snapshot.Memory);
        Assert.NotEmpty(snapshot.Memory.Containers);

        ResourceEngine restarted = WithMemory();
        Assert.Empty(restarted.Restore(snapshot));
        Assert.Equal(original.Memory!.State.ToString(), restarted.Memory!.State.ToString());
        Assert.Equal(original.EffectiveMems(new ContainerKey("g2", "c0")), restarted.EffectiveMems(new ContainerKey("g2", "c0")));
        // Releases give back exactly what the recomputed state holds.
        original.ReleaseContainer(new ContainerKey("g2", "c0"), "g2-c0");
        restarted.ReleaseContainer(new ContainerKey("g2", "c0"), "g2-c0");
        Assert.Equal(original.Memory.State.ToString(), restarted.Memory.State.ToString());
    }

    [Fact]
    public void Memory_blocks_that_do_not_fit_or_a_changed_memory_policy_are_refused()
    {
        ResourceEngine big = WithMemory(gibPerNode: 8);
        AdmitAll(big, Guaranteed("g1", 2));
        EngineSnapshot snapshot = big.Snapshot();
        ContainerMemorySnapshot block = Assert.Single(snapshot.Memory!.Containers);
        EngineSnapshot huge = snapshot with
        {
            Memory = snapshot.Memory with { Containers = [block with { Blocks = new MemoryAmounts(100 * Gi) }] },
        };

        ResourceEngine engine = WithMemory();
        string before = engine.Memory!.State.ToString();
        Assert.Contains(engine.Restore(huge), p => p.Contains("the expected machine state is different from the real one", StringComparison.Ordinal));
        Assert.Equal(before, engine.Memory.State.ToString());
        Assert.Contains(NewEngine(scope: TopologyScope.Container).Restore(snapshot), p => p.Contains("memory manager policy \"None\" is different from \"Static\"", StringComparison.Ordinal));
    }

    private static EngineSnapshot Replace(EngineSnapshot s, ContainerCpuSnapshot old, ContainerCpuSnapshot replacement) =>
        s with { Containers = s.Containers.Select(c => c == old ? replacement : c).ToArray() };

    /// <summary>Records hold lists: compare by content.</summary>
    private sealed class SnapshotComparer : IEqualityComparer<EngineSnapshot>
    {
        public static readonly SnapshotComparer Instance = new();

        public bool Equals(EngineSnapshot? x, EngineSnapshot? y) =>
            x is not null && y is not null &&
            x.CpuPolicy == y.CpuPolicy && x.ReservedCpus == y.ReservedCpus && x.DefaultCpus == y.DefaultCpus &&
            x.Containers.SequenceEqual(y.Containers) && x.Pods.SequenceEqual(y.Pods) && x.PodHints.SequenceEqual(y.PodHints) &&
            x.CpuReuse == y.CpuReuse;

        public int GetHashCode(EngineSnapshot obj) => obj.DefaultCpus.GetHashCode();
    }
}
