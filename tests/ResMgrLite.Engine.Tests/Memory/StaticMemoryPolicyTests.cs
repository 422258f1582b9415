using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.TopologyManagement;
using static ResMgrLite.Engine.Tests.Memory.MemoryTestMachines;

namespace ResMgrLite.Engine.Tests.Memory;

/// <summary>The Static memory policy, container path (docs/kubelet-rules.md §4.2-§4.6).</summary>
public sealed class StaticMemoryPolicyTests
{
    private static readonly TopologyHint Node0 = new(0b01, true);
    private static readonly TopologyHint Node1 = new(0b10, true);
    private static readonly TopologyHint Both = new(0b11, true);

    private static ContainerSpec Gu(string name, long memory, long huge2Mi = 0, ContainerRole role = ContainerRole.App) =>
        new(name, role, new ContainerResources(1000, 1000, memory, memory, huge2Mi));

    private static PodSpec GuPod(string uid, params ContainerSpec[] containers)
    {
        var pod = new PodSpec(uid, uid, "ns", QosClass.Guaranteed);
        pod.Containers.AddRange(containers);
        return pod;
    }

    private static string Hints(StaticMemoryPolicy policy, MemoryResource resource = MemoryResource.Memory) =>
        policy.HintLists[(int)resource].ToString();

    private static MemoryDecision Admit(StaticMemoryPolicy policy, PodSpec pod, ContainerSpec c, TopologyHint hint)
    {
        Assert.True(policy.TryAdmit(pod, c, pod.Uid + "/" + c.Name, hint, podScope: false, out MemoryDecision decision, out string? error), error);
        return decision;
    }

    private static void AssertInvariant(StaticMemoryPolicy policy)
    {
        MemoryMachineState s = policy.State;
        for (int i = 0; i < s.NodeCount; i++)
        {
            for (int r = 0; r < MemoryResources.Count; r++)
            {
                MemoryTable t = s.Table(i, (MemoryResource)r);
                Assert.Equal(t.Allocatable, t.Reserved + t.Free);
                Assert.True(t.Free >= 0 && t.Reserved >= 0, t.ToString());
            }
        }
    }

    [Fact]
    public void Hints_on_an_empty_machine_prefer_the_narrowest_fit()
    {
        var policy = new StaticMemoryPolicy(TwoNodes());
        var c = Gu("c", 4 * Gi);
        policy.ContainerHints(GuPod("p", c), c);
        Assert.Equal("memory: 1 (preferred), 10 (preferred), 11 (not preferred)", Hints(policy));
        Assert.True(policy.HintLists[(int)MemoryResource.Hugepages2Mi].NoPreference);

        var big = Gu("big", 20 * Gi);
        policy.ContainerHints(GuPod("p2", big), big);
        Assert.Equal("memory: 11 (preferred)", Hints(policy));
    }

    [Fact]
    public void Preferred_width_comes_from_allocatable_not_from_what_is_free()
    {
        // §11 rule 1: node 0 is busy, so a 6Gi request can only go to node 1 — still preferred
        // because one node is the narrowest an empty machine allows. A node holding a single-node
        // allocation cannot join a two-node group.
        var policy = new StaticMemoryPolicy(TwoNodes());
        var a = Gu("a", 10 * Gi);
        Admit(policy, GuPod("pa", a), a, Node0);
        var c = Gu("c", 6 * Gi);
        policy.ContainerHints(GuPod("pc", c), c);
        Assert.Equal("memory: 10 (preferred)", Hints(policy));

        var b = Gu("b", 10 * Gi);
        Admit(policy, GuPod("pb", b), b, Node1);
        policy.ContainerHints(GuPod("pc", c), c);
        Assert.Equal("memory: cannot be satisfied on any NUMA node", Hints(policy));
    }

    [Fact]
    public void Single_numa_allocation_charges_one_node()
    {
        var policy = new StaticMemoryPolicy(TwoNodes());
        var c = Gu("c", 3 * Gi);
        MemoryDecision d = Admit(policy, GuPod("p", c), c, Node1);
        Assert.Equal(MemoryAssignmentKind.Exclusive, d.Kind);
        Assert.Equal(0b10UL, d.Mems);
        Assert.Equal("1", d.MemsList);
        Assert.Equal(3 * Gi, policy.State.Table(1, MemoryResource.Memory).Reserved);
        Assert.Equal(11 * Gi, policy.State.Table(1, MemoryResource.Memory).Free);
        Assert.Equal(0, policy.State.Table(0, MemoryResource.Memory).Reserved);
        Assert.Equal(1, policy.State.Assignments(1));
        Assert.Equal(0, policy.State.Assignments(0));

        Assert.True(policy.Release(new ContainerKey("p", "c"), "p/c"));
        Assert.Equal(0, policy.State.Table(1, MemoryResource.Memory).Reserved);
        Assert.Equal(0, policy.State.Assignments(1));
    }

    [Fact]
    public void A_single_numa_machine_pins_memory_and_1Gi_pages_to_node_0()
    {
        var policy = new StaticMemoryPolicy(OneNode());
        var c = new ContainerSpec("c", ContainerRole.App, new ContainerResources(1000, 1000, 3 * Gi, 3 * Gi, 0, Gi));
        PodSpec pod = GuPod("p", c);
        policy.ContainerHints(pod, c);
        Assert.Equal("memory: 1 (preferred)", Hints(policy));
        Assert.Equal("hugepages-1Gi: 1 (preferred)", Hints(policy, MemoryResource.Hugepages1Gi));
        MemoryDecision d = Admit(policy, pod, c, new TopologyHint(0, false));
        Assert.Equal("0", d.MemsList);
        Assert.Equal(Gi, d.Hugepages1GiLimitBytes);
        Assert.Equal(2 * Gi, policy.State.Table(0, MemoryResource.Memory).Free);
        Assert.Equal(Gi, policy.State.Table(0, MemoryResource.Hugepages1Gi).Free);

        // 3Gi more memory does not fit the 2Gi left: no hint, and no default affinity either.
        var more = Gu("more", 3 * Gi);
        policy.ContainerHints(GuPod("q", more), more);
        Assert.Equal("memory: cannot be satisfied on any NUMA node", Hints(policy));
        Assert.False(policy.TryAdmit(GuPod("q", more), more, "q", new TopologyHint(0, false), false, out _, out string? error));
        Assert.Equal("failed to get the default NUMA affinity, no NUMA nodes with enough memory is available", error);
        AssertInvariant(policy);
    }

    [Fact]
    public void Multi_numa_group_fills_the_lowest_node_first_and_keeps_the_group()
    {
        var policy = new StaticMemoryPolicy(TwoNodes());
        string initial = policy.State.ToString();
        var big = Gu("big", 20 * Gi);
        policy.ContainerHints(GuPod("p1", big), big);
        MemoryDecision d = Admit(policy, GuPod("p1", big), big, Both);
        Assert.Equal("0-1", d.MemsList);
        Assert.Equal(14 * Gi, policy.State.Table(0, MemoryResource.Memory).Reserved);
        Assert.Equal(6 * Gi, policy.State.Table(1, MemoryResource.Memory).Reserved);
        Assert.Equal(0b11UL, policy.State.Cells(0));
        Assert.Equal(0b11UL, policy.State.Cells(1));

        // A small request may only join the group: single nodes are off limits now (§4.2).
        var small = Gu("small", 2 * Gi);
        policy.ContainerHints(GuPod("p2", small), small);
        Assert.Equal("memory: 11 (not preferred)", Hints(policy));
        Assert.False(policy.TryAdmit(GuPod("p2", small), small, "p2/small", Node1, false, out _, out string? error));
        Assert.Contains("violates NUMA node allocation", error, StringComparison.Ordinal);
        MemoryDecision joined = Admit(policy, GuPod("p2", small), small, new TopologyHint(0b11, false));
        Assert.Equal("0-1", joined.MemsList);
        Assert.Equal(8 * Gi, policy.State.Table(1, MemoryResource.Memory).Reserved);
        Assert.Equal(2, policy.State.Assignments(0));
        AssertInvariant(policy);

        policy.Release(new ContainerKey("p1", "big"), null);
        Assert.Equal(0b11UL, policy.State.Cells(0));
        policy.Release(new ContainerKey("p2", "small"), null);
        Assert.Equal(initial, policy.State.ToString());
    }

    [Fact]
    public void A_node_with_a_single_node_block_cannot_join_a_group()
    {
        var policy = new StaticMemoryPolicy(TwoNodes());
        var a = Gu("a", 4 * Gi);
        Admit(policy, GuPod("pa", a), a, Node0);
        var big = Gu("big", 20 * Gi);
        Assert.False(policy.TryAdmit(GuPod("pb", big), big, "pb/big", Both, false, out _, out string? error));
        Assert.StartsWith("preferred hint violates NUMA node allocation", error, StringComparison.Ordinal);
        Assert.Equal(4 * Gi, policy.State.Table(0, MemoryResource.Memory).Reserved);
        Assert.Equal(0, policy.State.Table(1, MemoryResource.Memory).Reserved);
    }

    [Fact]
    public void Hugepages_are_separate_blocks_and_count_as_assignments()
    {
        var policy = new StaticMemoryPolicy(TwoNodes());
        var c = Gu("c", Gi, huge2Mi: 512 * Mi);
        policy.ContainerHints(GuPod("p", c), c);
        Assert.Equal("hugepages-2Mi: 1 (preferred), 10 (preferred), 11 (not preferred)", Hints(policy, MemoryResource.Hugepages2Mi));
        MemoryDecision d = Admit(policy, GuPod("p", c), c, Node0);
        Assert.Equal(512 * Mi, d.Hugepages2MiLimitBytes);
        Assert.Equal(512 * Mi, policy.State.Table(0, MemoryResource.Hugepages2Mi).Reserved);
        Assert.Equal(Gi, policy.State.Table(0, MemoryResource.Memory).Reserved);
        Assert.Equal(2, policy.State.Assignments(0));

        // 1.5Gi of 2Mi pages exceeds one node's pool (1Gi): only both nodes fit, and node 0 is taken.
        var huge = Gu("huge", Gi, huge2Mi: 1536 * Mi);
        policy.ContainerHints(GuPod("p2", huge), huge);
        Assert.Equal("hugepages-2Mi: cannot be satisfied on any NUMA node", Hints(policy, MemoryResource.Hugepages2Mi));
        Assert.Equal("memory: cannot be satisfied on any NUMA node", Hints(policy));

        policy.Release(new ContainerKey("p", "c"), null);
        policy.ContainerHints(GuPod("p2", huge), huge);
        Assert.Equal("hugepages-2Mi: 11 (preferred)", Hints(policy, MemoryResource.Hugepages2Mi));
    }

    [Fact]
    public void Init_container_memory_is_reused_by_the_app_container()
    {
        var policy = new StaticMemoryPolicy(TwoNodes());
        string initial = policy.State.ToString();
        var init = Gu("init", 8 * Gi, role: ContainerRole.Init);
        var app = Gu("app", 10 * Gi);
        PodSpec pod = GuPod("p", init);
        Admit(policy, pod, init, Node0);
        Assert.Equal(8 * Gi, policy.State.Table(0, MemoryResource.Memory).Reserved);

        // Node 0 has 6Gi free, 10Gi requested: the 8Gi the init container held make it fit on node 0.
        pod.Containers.Add(app);
        policy.ContainerHints(pod, app);
        Assert.Equal("memory: 1 (preferred), 10 (preferred)", Hints(policy));
        MemoryDecision d = Admit(policy, pod, app, Node0);
        Assert.Equal("0", d.MemsList);
        Assert.Equal(10 * Gi, policy.State.Table(0, MemoryResource.Memory).Reserved);
        // The init block shrank by what the app reused, so the blocks add up to what was charged.
        Assert.Equal(0, policy.Containers[new ContainerKey("p", "init")].Blocks.Memory);
        Assert.Equal(10 * Gi, policy.Containers[new ContainerKey("p", "app")].Blocks.Memory);
        Assert.Equal(2, policy.State.Assignments(0));

        policy.Release(new ContainerKey("p", "init"), null);
        Assert.Equal(10 * Gi, policy.State.Table(0, MemoryResource.Memory).Reserved);
        policy.Release(new ContainerKey("p", "app"), null);
        Assert.Equal(initial, policy.State.ToString());
    }

    [Fact]
    public void Consecutive_init_containers_share_and_sidecars_do_not()
    {
        var policy = new StaticMemoryPolicy(TwoNodes());
        var i1 = Gu("i1", 6 * Gi, role: ContainerRole.Init);
        var i2 = Gu("i2", 4 * Gi, role: ContainerRole.Init);
        var side = Gu("side", 2 * Gi, role: ContainerRole.Sidecar);
        var app = Gu("app", 5 * Gi);
        PodSpec pod = GuPod("p");
        foreach (ContainerSpec c in new[] { i1, i2, side, app })
        {
            pod.Containers.Add(c);
            Admit(policy, pod, c, Node0);
            AssertInvariant(policy);
        }
        // i1 6 charged; i2 reuses 4 of it; the sidecar reuses 2 (its memory is then no longer
        // reusable); the app reuses the remaining 4 and is charged 1 more: 6 + 1 = 7.
        Assert.Equal(7 * Gi, policy.State.Table(0, MemoryResource.Memory).Reserved);
        long blocks = pod.Containers.Sum(c => policy.Containers[new ContainerKey("p", c.Name)].Blocks.Memory);
        Assert.Equal(7 * Gi, blocks);
    }

    [Fact]
    public void A_missing_hint_picks_the_narrowest_preferred_default()
    {
        var policy = new StaticMemoryPolicy(TwoNodes());
        var c = Gu("c", 2 * Gi);
        MemoryDecision d = Admit(policy, GuPod("p", c), c, new TopologyHint(0, false));
        Assert.Equal("0", d.MemsList);
    }

    [Fact]
    public void A_hint_too_narrow_for_the_free_memory_is_extended()
    {
        var policy = new StaticMemoryPolicy(TwoNodes());
        var c = Gu("c", 20 * Gi);
        MemoryDecision d = Admit(policy, GuPod("p", c), c, new TopologyHint(0b01, false));
        Assert.True(d.HintExtended);
        Assert.Equal("0-1", d.MemsList);
    }

    [Fact]
    public void Burstable_and_zero_memory_containers_are_not_pinned()
    {
        var policy = new StaticMemoryPolicy(TwoNodes());
        var pod = new PodSpec("b", "b", "ns", QosClass.Burstable);
        var c = new ContainerSpec("c", ContainerRole.App, new ContainerResources(500, 1000, Gi, 2 * Gi));
        pod.Containers.Add(c);
        policy.ContainerHints(pod, c);
        Assert.True(policy.HintLists[0].NoPreference);
        MemoryDecision d = Admit(policy, pod, c, Node0);
        Assert.Equal(MemoryAssignmentKind.None, d.Kind);
        Assert.Equal(0UL, d.Mems);
        Assert.Empty(policy.Containers);
    }

    [Fact]
    public void Existing_blocks_regenerate_one_preferred_hint_and_admission_is_idempotent()
    {
        var policy = new StaticMemoryPolicy(TwoNodes());
        var c = Gu("c", 3 * Gi);
        PodSpec pod = GuPod("p", c);
        Admit(policy, pod, c, Node1);
        policy.ContainerHints(pod, c);
        Assert.Equal("memory: 10 (preferred)", Hints(policy));
        MemoryDecision again = Admit(policy, pod, c, Node0);
        Assert.Equal("1", again.MemsList);
        Assert.Equal(3 * Gi, policy.State.Table(1, MemoryResource.Memory).Reserved);
        // A release by an older container id does not free the restarted container's blocks.
        Assert.False(policy.Release(new ContainerKey("p", "c"), "stale-id"));
        Assert.Equal(3 * Gi, policy.State.Table(1, MemoryResource.Memory).Reserved);
    }

    [Fact]
    public void Pod_hints_aggregate_with_the_sidecar_rule()
    {
        var policy = new StaticMemoryPolicy(TwoNodes());
        PodSpec pod = GuPod("p",
            Gu("init", 12 * Gi, role: ContainerRole.Init),
            Gu("side", 2 * Gi, role: ContainerRole.Sidecar),
            Gu("a", 5 * Gi),
            Gu("b", 5 * Gi));
        // max(init 12, apps 10 + sidecar 2) = 12 → fits one node.
        Assert.Equal(12 * Gi, policy.PodRequests(pod).Memory);
        policy.PodHints(pod);
        Assert.Equal("memory: 1 (preferred), 10 (preferred), 11 (not preferred)", Hints(policy));
        pod.Containers.Add(Gu("c", 3 * Gi));
        Assert.Equal(15 * Gi, policy.PodRequests(pod).Memory);
        policy.PodHints(pod);
        Assert.Equal("memory: 11 (preferred)", Hints(policy));
    }
}
