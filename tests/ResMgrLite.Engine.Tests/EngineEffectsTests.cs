using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.MemoryQos;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.PodLevel;
using ResMgrLite.Engine.TopologyManagement;
using ResMgrLite.TestSupport;

namespace ResMgrLite.Engine.Tests;

/// <summary>Decisions carry their effects: other containers' cpusets and the pod- and QoS-level cgroup writes.</summary>
public sealed class EngineEffectsTests
{
    private const long Gi = 1L << 30;

    private static ResourceEngine Engine(MemoryQosOptions? qos = null) =>
        TestEngine.Create(KubeletFixtures.SingleSocketHT, new TopologyManagerOptions(), new CpuManagerOptions { ReservedCpus = CpuSet.Of(0) }, memoryQos: qos);

    private static (PodSpec Pod, ContainerSpec Container) Pod(string uid, QosClass qos, long cpuMilli, long memory)
    {
        var pod = new PodSpec(uid, uid, "ns", qos);
        var container = new ContainerSpec("app", ContainerRole.App, new ContainerResources(cpuMilli, qos == QosClass.Guaranteed ? cpuMilli : 0, memory, qos == QosClass.Guaranteed ? memory : 0));
        pod.Containers.Add(container);
        return (pod, container);
    }

    [Fact]
    public void An_exclusive_admission_names_the_shared_containers_it_moved_and_lifts_the_pod_quota()
    {
        ResourceEngine engine = Engine();
        var (shared, sharedContainer) = Pod("b1", QosClass.Burstable, 250, 0);
        Assert.True(engine.TryAdmitContainer(shared, sharedContainer, "cb1", out ContainerDecision first, out string? error), error);
        Assert.Equal((ResourceIsolationLevel.Host, false), (first.Settings.Level, first.Settings.LiftsQuota));
        Assert.Empty(first.Effects.OtherContainers);
        Assert.Empty(first.Effects.PodCgroupWrites);

        var (guaranteed, exclusive) = Pod("g1", QosClass.Guaranteed, 2000, Gi);
        Assert.True(engine.TryAdmitContainer(guaranteed, exclusive, "cg1", out ContainerDecision pinned, out error), error);
        Assert.Equal(("1,5", ResourceIsolationLevel.Container, true), (pinned.Settings.Cpus.ToString(), pinned.Settings.Level, pinned.Settings.LiftsQuota));
        CpusetChange moved = Assert.Single(pinned.Effects.OtherContainers);
        Assert.Equal((new ContainerKey("b1", "app"), "cb1", "0,2-4,6-7"), (moved.Key, moved.ContainerId, pinned.Effects.CpusOf(moved).ToString()));
        Assert.Equal(new PodCgroupWrite(PodCgroupTarget.Pod, PodCgroupKnob.CpuQuota, CpuQuotaRule.NoQuota, "g1", QosClass.Guaranteed), Assert.Single(pinned.Effects.PodCgroupWrites));

        ReleaseDecision released = engine.ReleasePod("g1");
        Assert.True(released.Released);
        CpusetChange widened = Assert.Single(released.Effects.OtherContainers);
        Assert.Equal(("cb1", "0-7"), (widened.ContainerId, released.Effects.CpusOf(widened).ToString()));
        Assert.False(engine.ReleasePod("g1").Released);
    }

    [Fact]
    public void Memory_qos_parents_are_planned_with_the_admission_and_lowered_with_the_pod()
    {
        ResourceEngine engine = Engine(new MemoryQosOptions { ReservationPolicy = MemoryReservationPolicy.TieredReservation });
        var (pod, container) = Pod("b1", QosClass.Burstable, 250, Gi);
        Assert.True(engine.TryAdmitContainer(pod, container, "cb1", out ContainerDecision admitted, out string? error), error);
        Assert.Equal(
        [
            new PodCgroupWrite(PodCgroupTarget.KubepodsRoot, PodCgroupKnob.MemoryMin, Gi),
            new PodCgroupWrite(PodCgroupTarget.BurstableParent, PodCgroupKnob.MemoryLow, Gi),
            new PodCgroupWrite(PodCgroupTarget.Pod, PodCgroupKnob.MemoryMin, 0, "b1", QosClass.Burstable),
            new PodCgroupWrite(PodCgroupTarget.Pod, PodCgroupKnob.MemoryLow, Gi, "b1", QosClass.Burstable),
        ], admitted.Effects.PodCgroupWrites);
        Assert.Equal(Gi, admitted.Settings.MemoryQos.Low);

        ReleaseDecision released = engine.ReleasePod("b1");
        Assert.Equal(
        [
            new PodCgroupWrite(PodCgroupTarget.BurstableParent, PodCgroupKnob.MemoryLow, 0),
            new PodCgroupWrite(PodCgroupTarget.KubepodsRoot, PodCgroupKnob.MemoryMin, 0),
        ], released.Effects.PodCgroupWrites);
    }

    [Fact]
    public void A_retried_admission_changes_nothing_and_versions_tell_exclusive_changes_apart()
    {
        ResourceEngine engine = Engine();
        var (shared, sharedContainer) = Pod("b1", QosClass.Burstable, 250, 0);
        long exclusive = engine.ExclusiveVersion, state = engine.StateVersion;
        Assert.True(engine.TryAdmitContainer(shared, sharedContainer, "cb1", out ContainerDecision d, out _));
        Assert.True(d.StateChanged);
        Assert.Equal(exclusive, engine.ExclusiveVersion);
        Assert.NotEqual(state, engine.StateVersion);

        state = engine.StateVersion;
        Assert.True(engine.TryAdmitContainer(shared, sharedContainer, "cb1", out d, out _));
        Assert.False(d.StateChanged);
        Assert.Equal(state, engine.StateVersion);

        var (guaranteed, container) = Pod("g1", QosClass.Guaranteed, 1000, Gi);
        Assert.True(engine.TryAdmitContainer(guaranteed, container, "cg1", out _, out _));
        Assert.NotEqual(exclusive, engine.ExclusiveVersion);
    }

    [Fact]
    public void Settings_restate_a_container_from_the_state()
    {
        ResourceEngine engine = Engine(new MemoryQosOptions());
        var (pod, container) = Pod("g1", QosClass.Guaranteed, 2000, Gi);
        Assert.True(engine.TryAdmitContainer(pod, container, "cg1", out ContainerDecision admitted, out _));
        ContainerSettings restated = engine.SettingsOf(pod, container);
        Assert.Equal(admitted.Settings.Cpus, restated.Cpus);
        Assert.Equal((true, true, admitted.Settings.MemoryQos), (restated.ManagesCpu, restated.LiftsQuota, restated.MemoryQos));
        Assert.True(engine.TryFindContainer("cg1", out ContainerKey key));
        Assert.Equal(new ContainerKey("g1", "app"), key);
    }

    [Fact]
    public void Configuration_problems_come_back_in_words()
    {
        EngineStartResult started = ResourceEngine.Start(KubeletFixtures.DualSocketHT,
            new TopologyManagerOptions { Policy = TopologyPolicy.SingleNumaNode, MaxAllowableNumaNodes = 4 },
            new CpuManagerOptions { ReservedCpus = CpuSet.Of(0), AlignBySocket = true, FullPcpusOnly = true, DistributeCpusAcrossCores = true },
            memoryQos: new MemoryQosOptions { ThrottlingFactor = 2 });
        Assert.Null(started.Engine);
        Assert.Equal(string.Join("\n",
        (string[])[
            "the minimum value of \"max-allowable-numa-nodes\" should not be less than 8",
            "full-pcpus-only and distribute-cpus-across-cores cannot be used together",
            "align-by-socket cannot be used with the single-numa-node topology manager policy",
            "invalid Memory QoS configuration: memoryThrottlingFactor 2 is outside the valid range (0, 1.0]",
        ]), string.Join("\n", started.Problems));
    }
}
