using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.TopologyManagement;
using static ResMgrLite.Engine.Tests.Memory.MemoryTestMachines;

namespace ResMgrLite.Engine.Tests.Memory;

/// <summary>KEP-5526 pod-level memory budgets (docs/kubelet-rules.md §5.5, §5.6, §5.4).</summary>
public sealed class PodLevelMemoryTests
{
    private static readonly TopologyHint Node0 = new(0b01, true);

    private static ContainerSpec Gu(string name, long memory, ContainerRole role = ContainerRole.App) =>
        new(name, role, new ContainerResources(1000, 1000, memory, memory));

    private static ContainerSpec Ngu(string name, ContainerRole role = ContainerRole.App) => new(name, role, default);

    private static PodSpec Pod(long memory, QosClass qos = QosClass.Guaranteed) =>
        new("pod", "pod", "ns", qos, new ContainerResources(4000, 4000, memory, memory));

    private static bool Add(StaticMemoryPolicy policy, PodSpec pod, ContainerSpec c, out MemoryDecision decision, out string? error)
    {
        pod.Containers.Add(c);
        return policy.TryAdmit(pod, c, "id-" + c.Name, Node0, podScope: true, out decision, out error);
    }

    [Fact]
    public void The_budget_is_charged_once_and_partitioned_as_bookkeeping()
    {
        var policy = new StaticMemoryPolicy(TwoNodes());
        string initial = policy.State.ToString();
        PodSpec pod = Pod(8 * Gi);
        var decisions = new Dictionary<string, MemoryDecision>();
        foreach (ContainerSpec c in new[] { Ngu("init", ContainerRole.Init), Gu("side", Gi, ContainerRole.Sidecar), Gu("gu", 2 * Gi), Ngu("ngu") })
        {
            Assert.True(Add(policy, pod, c, out MemoryDecision d, out string? error), error);
            decisions[c.Name] = d;
            Assert.Equal(8 * Gi, policy.State.Table(0, MemoryResource.Memory).Reserved);
            Assert.Equal(1, policy.State.Assignments(0));
        }
        Assert.Equal(MemoryAssignmentKind.PodInitPool, decisions["init"].Kind);
        Assert.Equal(8 * Gi, decisions["init"].Blocks.Memory);
        Assert.Equal(MemoryAssignmentKind.Exclusive, decisions["side"].Kind);
        Assert.Equal(Gi, decisions["side"].Blocks.Memory);
        Assert.Equal(2 * Gi, decisions["gu"].Blocks.Memory);
        Assert.Equal(MemoryAssignmentKind.PodShared, decisions["ngu"].Kind);
        Assert.Equal(5 * Gi, decisions["ngu"].Blocks.Memory);
        Assert.All(decisions.Values, d => Assert.Equal("0", d.MemsList));
        Assert.Equal(8 * Gi, policy.Pods["pod"].Totals.Memory);

        // §5.6: nothing comes back until the last container of the pod is gone.
        foreach (string name in new[] { "init", "side", "gu" })
        {
            Assert.False(policy.Release(new ContainerKey("pod", name), "id-" + name));
            Assert.Equal(8 * Gi, policy.State.Table(0, MemoryResource.Memory).Reserved);
        }
        Assert.True(policy.Release(new ContainerKey("pod", "ngu"), "id-ngu"));
        Assert.Empty(policy.Pods);
        Assert.Equal(initial, policy.State.ToString());
    }

    [Fact]
    public void Exclusive_requests_that_consume_the_budget_leave_no_room_for_shared_containers()
    {
        var policy = new StaticMemoryPolicy(TwoNodes());
        PodSpec pod = Pod(4 * Gi);
        Assert.True(Add(policy, pod, Gu("gu1", 2 * Gi), out _, out _));
        Assert.True(Add(policy, pod, Gu("gu2", 2 * Gi), out _, out _));
        string before = policy.State.ToString();
        Assert.False(Add(policy, pod, Ngu("ngu"), out _, out string? error));
        Assert.Equal("EmptyPodSharedPoolError: pod rejected, sum of exclusive container memory requests equals pod budget, leaving no bytes of memory for shared containers", error);
        Assert.Equal(before, policy.State.ToString());
        Assert.False(policy.Containers.ContainsKey(new ContainerKey("pod", "ngu")));
    }

    [Fact]
    public void An_exclusive_init_container_larger_than_the_budget_is_refused_before_anything_is_charged()
    {
        var policy = new StaticMemoryPolicy(TwoNodes());
        string before = policy.State.ToString();
        PodSpec pod = Pod(4 * Gi);
        Assert.False(Add(policy, pod, Gu("init", 6 * Gi, ContainerRole.Init), out _, out string? error));
        Assert.StartsWith("EmptyPodSharedPoolError: pod rejected, largest exclusive init container requests", error, StringComparison.Ordinal);
        Assert.Equal(before, policy.State.ToString());
    }

    [Fact]
    public void Pod_hints_come_from_the_budget_and_later_from_its_mask()
    {
        var policy = new StaticMemoryPolicy(TwoNodes());
        PodSpec pod = Pod(20 * Gi);
        pod.Containers.Add(Ngu("a"));
        policy.PodHints(pod);
        Assert.Equal("memory: 11 (preferred)", policy.HintLists[0].ToString());

        PodSpec small = new("small", "small", "ns", QosClass.Guaranteed, new ContainerResources(2000, 2000, 6 * Gi, 6 * Gi));
        small.Containers.Add(Ngu("a"));
        policy.PodHints(small);
        Assert.Equal("memory: 1 (preferred), 10 (preferred), 11 (not preferred)", policy.HintLists[0].ToString());
        Assert.True(policy.TryAdmit(small, small.Containers[0], "id", new TopologyHint(0b10, true), podScope: true, out _, out string? error), error);
        policy.PodHints(small);
        Assert.Equal("memory: 10 (preferred)", policy.HintLists[0].ToString());
    }

    [Fact]
    public void Burstable_budgets_and_a_disabled_gate_pin_nothing()
    {
        var policy = new StaticMemoryPolicy(TwoNodes());
        PodSpec burstable = new("b", "b", "ns", QosClass.Burstable, new ContainerResources(2000, 4000, 2 * Gi, 4 * Gi));
        burstable.Containers.Add(Gu("gu", Gi));
        policy.PodHints(burstable);
        Assert.True(policy.HintLists[0].NoPreference);
        Assert.True(policy.TryAdmit(burstable, burstable.Containers[0], "id", Node0, podScope: true, out MemoryDecision d, out _));
        Assert.Equal(MemoryAssignmentKind.None, d.Kind);

        var gateOff = new StaticMemoryPolicy(TwoNodes(podLevel: false));
        PodSpec pod = Pod(4 * Gi);
        pod.Containers.Add(Gu("gu", Gi));
        gateOff.PodHints(pod);
        Assert.True(gateOff.HintLists[0].NoPreference);
        Assert.True(gateOff.TryAdmit(pod, pod.Containers[0], "id", Node0, podScope: true, out d, out _));
        Assert.Equal(MemoryAssignmentKind.None, d.Kind);
        Assert.Equal(0, gateOff.State.Table(0, MemoryResource.Memory).Reserved);
    }

    [Fact]
    public void Container_scope_pins_eligible_containers_from_the_node_and_skips_the_rest()
    {
        var policy = new StaticMemoryPolicy(TwoNodes());
        PodSpec pod = Pod(8 * Gi);
        pod.Containers.Add(Gu("gu", 3 * Gi));
        pod.Containers.Add(Ngu("ngu"));
        Assert.True(policy.TryAdmit(pod, pod.Containers[0], "a", Node0, podScope: false, out MemoryDecision gu, out _));
        Assert.True(policy.TryAdmit(pod, pod.Containers[1], "b", Node0, podScope: false, out MemoryDecision ngu, out _));
        Assert.Equal(MemoryAssignmentKind.Exclusive, gu.Kind);
        Assert.Equal(MemoryAssignmentKind.None, ngu.Kind);
        Assert.Equal(3 * Gi, policy.State.Table(0, MemoryResource.Memory).Reserved);
        Assert.Empty(policy.Pods);
    }
}
