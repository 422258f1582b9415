using ResMgrLite.Engine;
using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.PodLevel;
using ResMgrLite.Engine.TopologyManagement;
using ResMgrLite.TestSupport;

namespace ResMgrLite.Engine.Tests;

/// <summary>KEP-5526 <c>AllocatePod</c> scenarios of docs/kubelet-rules.md §9.5.</summary>
public sealed class PodLevelCpuTests
{
    private const long Gi = 1L << 30;
    private static readonly TopologyHint Numa0 = new(0b01, true);

    private static StaticCpuPolicy NewPolicy() =>
        StaticCpuPolicy.TryCreate(KubeletFixtures.DualSocketHT, new CpuManagerOptions { ReservedCpus = CpuSet.Of(0) }, singleNumaNodePolicy: false, []) ?? throw new InvalidOperationException("invalid CPU manager options");

    private static ContainerSpec Gu(string name, int cpus, ContainerRole role = ContainerRole.App) =>
        new(name, role, new ContainerResources(cpus * 1000, cpus * 1000, Gi, Gi));

    private static ContainerSpec Ngu(string name, ContainerRole role = ContainerRole.App) =>
        new(name, role, default);

    private static PodSpec Pod(int budget, QosClass qos = QosClass.Guaranteed, long limitMilli = -1) =>
        new("pod-uid", "p", "ns", qos, new ContainerResources(budget * 1000, limitMilli < 0 ? budget * 1000 : limitMilli, 4 * Gi, 4 * Gi));

    /// <summary>Admits the containers in order and returns name → cpuset as seen after the last one.</summary>
    private static Dictionary<string, string> Run(StaticCpuPolicy policy, PodSpec pod, params ContainerSpec[] containers)
    {
        foreach (ContainerSpec c in containers)
        {
            pod.Containers.Add(c);
            Assert.True(policy.TryAdmit(pod, c, "id-" + c.Name, Numa0, podScope: true, out _, out string? error), error);
        }
        return containers.ToDictionary(c => c.Name, c => policy.EffectiveCpus(new ContainerKey(pod.Uid, c.Name)).ToString());
    }

    [Fact]
    public void Budget_2_with_one_exclusive_container()
    {
        var policy = NewPolicy();
        var result = Run(policy, Pod(2), Gu("c1", 1));
        Assert.Equal("2", result["c1"]);
        Assert.Equal("2,8", policy.Pods["pod-uid"].Bubble.ToString());
        Assert.Equal("0-1,3-7,9-11", policy.DefaultSet.ToString());
    }

    [Fact]
    public void Budget_1_with_one_shared_container()
    {
        var policy = NewPolicy();
        var result = Run(policy, Pod(1), Ngu("ngu"));
        Assert.Equal("6", result["ngu"]);
        Assert.Equal("0-5,7-11", policy.DefaultSet.ToString());
    }

    [Fact]
    public void Budget_3_with_two_exclusive_and_one_shared()
    {
        var policy = NewPolicy();
        var result = Run(policy, Pod(3), Gu("gu1", 1), Gu("gu2", 1), Ngu("ngu"));
        Assert.Equal("6", result["gu1"]);
        Assert.Equal("2", result["gu2"]);
        Assert.Equal("8", result["ngu"]);
        Assert.Equal("0-1,3-5,7,9-11", policy.DefaultSet.ToString());
    }

    [Fact]
    public void Init_slices_overlap_later_containers()
    {
        var policy = NewPolicy();
        var result = Run(policy, Pod(2), Gu("gu-i1", 1, ContainerRole.Init), Gu("gu-i2", 1, ContainerRole.Init), Gu("gu1", 1), Gu("gu2", 1));
        Assert.Equal("2", result["gu-i1"]);
        Assert.Equal("2", result["gu-i2"]);
        Assert.Equal("2", result["gu1"]);
        Assert.Equal("8", result["gu2"]);
        Assert.Equal("0-1,3-7,9-11", policy.DefaultSet.ToString());
    }

    [Fact]
    public void Eligible_sidecar_is_pinned_for_the_pod_lifetime()
    {
        var policy = NewPolicy();
        var result = Run(policy, Pod(3), Ngu("ngu-i1", ContainerRole.Init), Gu("sidecar", 1, ContainerRole.Sidecar), Ngu("ngu-i3", ContainerRole.Init), Gu("gu1", 1), Ngu("ngu2"));
        Assert.Equal("2,6,8", result["ngu-i1"]);
        Assert.Equal("6", result["sidecar"]);
        Assert.Equal("2,8", result["ngu-i3"]);
        Assert.Equal("2", result["gu1"]);
        Assert.Equal("8", result["ngu2"]);
        Assert.Equal("0-1,3-5,7,9-11", policy.DefaultSet.ToString());
    }

    [Fact]
    public void Shared_sidecar_gets_the_final_pod_shared_pool()
    {
        var policy = NewPolicy();
        var result = Run(policy, Pod(3), Ngu("ngu-i1", ContainerRole.Init), Ngu("sidecar", ContainerRole.Sidecar), Ngu("ngu-i3", ContainerRole.Init), Gu("gu1", 1), Ngu("ngu2"));
        Assert.Equal("2,6,8", result["ngu-i1"]);
        Assert.Equal("2,8", result["sidecar"]);
        Assert.Equal("2,6,8", result["ngu-i3"]);
        Assert.Equal("6", result["gu1"]);
        Assert.Equal("2,8", result["ngu2"]);
        Assert.Equal("0-1,3-5,7,9-11", policy.DefaultSet.ToString());
    }

    [Fact]
    public void Exclusive_requests_filling_the_budget_leave_no_room_for_a_shared_container()
    {
        var policy = NewPolicy();
        PodSpec pod = Pod(2);
        Run(policy, pod, Gu("gu1", 1), Gu("gu2", 1));
        ContainerSpec ngu = Ngu("ngu");
        pod.Containers.Add(ngu);
        CpuSet before = policy.DefaultSet;
        Assert.False(policy.TryAdmit(pod, ngu, "id-ngu", Numa0, podScope: true, out _, out string? error));
        Assert.Equal("EmptyPodSharedPoolError: pod rejected, sum of exclusive container cpu requests equals pod budget, leaving no cpus for shared containers", error);
        Assert.Equal(before, policy.DefaultSet);
        Assert.False(policy.Containers.ContainsKey(new ContainerKey(pod.Uid, "ngu")));
    }

    [Fact]
    public void Burstable_pod_level_pod_gets_nothing_exclusive()
    {
        var policy = NewPolicy();
        PodSpec pod = Pod(2, QosClass.Burstable, limitMilli: 3000);
        var result = Run(policy, pod, Gu("c1", 1));
        Assert.Equal("0-11", policy.DefaultSet.ToString());
        Assert.Equal("0-11", result["c1"]);
        Assert.Empty(policy.Pods);
    }

    [Fact]
    public void The_bubble_returns_only_when_the_last_container_goes()
    {
        var policy = NewPolicy();
        PodSpec pod = Pod(3);
        Run(policy, pod, Gu("gu1", 1), Ngu("ngu"));
        Assert.False(policy.Release(new ContainerKey(pod.Uid, "gu1"), "id-gu1"));
        Assert.Equal("0-1,3-5,7,9-11", policy.DefaultSet.ToString());
        Assert.True(policy.Release(new ContainerKey(pod.Uid, "ngu"), "id-ngu"));
        Assert.Equal("0-11", policy.DefaultSet.ToString());
        Assert.Empty(policy.Pods);
    }

    [Fact]
    public void Exclusive_members_turn_quota_off_and_shared_members_keep_it()
    {
        var policy = NewPolicy();
        PodSpec pod = Pod(3);
        ContainerSpec gu = Gu("gu1", 1), ngu = Ngu("ngu");
        pod.Containers.Add(gu);
        Assert.True(policy.TryAdmit(pod, gu, "a", Numa0, podScope: true, out CpuDecision d1, out _));
        pod.Containers.Add(ngu);
        Assert.True(policy.TryAdmit(pod, ngu, "b", Numa0, podScope: true, out CpuDecision d2, out _));
        Assert.Equal(ResourceIsolationLevel.Container, d1.Level);
        Assert.Equal(ResourceIsolationLevel.Pod, d2.Level);
        Assert.True(d2.PodHasExclusive);
    }

    [Fact]
    public void Restarted_container_keeps_its_slice_and_old_instance_removal_is_ignored()
    {
        var policy = NewPolicy();
        PodSpec pod = Pod(2);
        Run(policy, pod, Gu("c1", 1));
        Assert.True(policy.TryAdmit(pod, pod.Containers[0], "id-c1-restarted", Numa0, podScope: true, out CpuDecision again, out _));
        Assert.Equal("2", again.Cpus.ToString());
        Assert.False(policy.Release(new ContainerKey(pod.Uid, "c1"), "id-c1"));
        Assert.True(policy.Containers.ContainsKey(new ContainerKey(pod.Uid, "c1")));
    }
}
