using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.TopologyManagement;
using ResMgrLite.TestSupport;

namespace ResMgrLite.Engine.Tests;

/// <summary>Hint merge (docs/kubelet-rules.md §2.3) and CPU hint generation (§3.8, §9.6).</summary>
public sealed class TopologyManagerTests
{
    private static HintList List(string resource, params (string Mask, bool Preferred)[] hints)
    {
        var list = new HintList(16, resource);
        list.StartList();
        foreach (var (mask, preferred) in hints)
        {
            list.Add(new TopologyHint(Convert.ToUInt64(mask, 2), preferred));
        }
        return list;
    }

    private static HintMerger Merger(TopologyPolicy policy, bool closest = false) =>
        new(new TopologyManagerOptions { Policy = policy, PreferClosestNumaNodes = closest }, KubeletFixtures.DualSocketNoHT.NumaDistances);

    [Fact]
    public void Worked_example_one_prefers_node_0()
    {
        var cpu = List("cpu", ("01", true), ("10", true), ("11", false));
        var memory = List("memory", ("01", true), ("11", false));
        Assert.True(Merger(TopologyPolicy.Restricted).TryAdmit([cpu, memory], out TopologyHint best));
        Assert.Equal(new TopologyHint(0b01, true), best);
    }

    [Fact]
    public void Worked_example_two_best_effort_admits_restricted_rejects()
    {
        var cpu = List("cpu", ("11", true));
        var memory = List("memory", ("01", true), ("10", true), ("11", false));
        Assert.True(Merger(TopologyPolicy.BestEffort).TryAdmit([cpu, memory], out TopologyHint best));
        Assert.Equal(new TopologyHint(0b11, false), best);
        Assert.False(Merger(TopologyPolicy.Restricted).TryAdmit([cpu, memory], out _));
    }

    [Fact]
    public void No_preference_lists_merge_to_any_node_preferred()
    {
        var none = new HintList(4, "cpu");
        none.SetNoPreference();
        Assert.True(Merger(TopologyPolicy.Restricted).TryAdmit([none], out TopologyHint best));
        Assert.Equal(new TopologyHint(0b11, true), best);
        Assert.True(Merger(TopologyPolicy.SingleNumaNode).TryAdmit([none], out best));
        Assert.Equal(new TopologyHint(0, true), best);
    }

    [Fact]
    public void An_unsatisfiable_list_is_rejected_by_restricted()
    {
        var empty = List("cpu");
        Assert.False(Merger(TopologyPolicy.Restricted).TryAdmit([empty], out TopologyHint best));
        Assert.False(best.Preferred);
        Assert.True(Merger(TopologyPolicy.BestEffort).TryAdmit([empty], out _));
    }

    [Fact]
    public void Single_numa_node_drops_multi_node_hints()
    {
        var cpu = List("cpu", ("11", true));
        Assert.False(Merger(TopologyPolicy.SingleNumaNode).TryAdmit([cpu], out TopologyHint best));
        Assert.Equal(0UL, best.Mask);
        var single = List("cpu", ("10", true), ("11", false));
        Assert.True(Merger(TopologyPolicy.SingleNumaNode).TryAdmit([single], out best));
        Assert.Equal(new TopologyHint(0b10, true), best);
    }

    [Fact]
    public void Prefer_closest_picks_the_nearer_pair()
    {
        var topology = KubeletFixtures.DualSocketMultiNumaPerSocketHT; // 10 self, 11 same socket, 21 across
        var merger = new HintMerger(new TopologyManagerOptions { Policy = TopologyPolicy.BestEffort, PreferClosestNumaNodes = true }, topology.NumaDistances);
        var cpu = List("cpu", ("0101", true), ("0011", true));
        Assert.True(merger.TryAdmit([cpu], out TopologyHint best));
        Assert.Equal(0b0011UL, best.Mask);
        var narrow = new HintMerger(new TopologyManagerOptions { Policy = TopologyPolicy.BestEffort }, topology.NumaDistances);
        Assert.True(narrow.TryAdmit([cpu], out best));
        Assert.Equal(0b0011UL, best.Mask); // narrowest by value also picks 0011 here
        var reversed = List("cpu", ("0101", true), ("1001", true), ("1100", true));
        Assert.True(merger.TryAdmit([reversed], out best));
        Assert.Equal(0b1100UL, best.Mask);
        Assert.True(narrow.TryAdmit([reversed], out best));
        Assert.Equal(0b0101UL, best.Mask);
    }

    [Fact]
    public void Iterate_bit_masks_goes_by_size_then_position()
    {
        Span<ulong> masks = stackalloc ulong[7];
        Assert.Equal(7, NumaMask.IterateBitMasks([0, 1, 2], masks));
        Assert.Equal(new ulong[] { 0b001, 0b010, 0b100, 0b011, 0b101, 0b110, 0b111 }, masks.ToArray());
    }

    [Theory]
    [InlineData(1, "01:T,10:T,11:F")]
    [InlineData(6, "10:T,11:F")]
    [InlineData(8, "11:T")]
    public void Cpu_hints_match_spec_9_6(int request, string expected)
    {
        StaticCpuPolicy policy = StaticCpuPolicy.TryCreate(KubeletFixtures.DualSocketHT, new CpuManagerOptions { ReservedCpus = CpuSet.Of(0) }, singleNumaNodePolicy: false, [])!;
        var pod = new PodSpec("u", "p", "ns", QosClass.Guaranteed);
        var container = new ContainerSpec("c", ContainerRole.App, new ContainerResources(request * 1000, request * 1000, 1 << 30, 1 << 30));
        pod.Containers.Add(container);
        var hints = new HintList(16, "cpu");
        policy.ContainerHints(pod, container, hints);
        string actual = string.Join(",", hints.Hints.ToArray().Select(h => NumaMask.Format(h.Mask).PadLeft(2, '0') + ":" + (h.Preferred ? "T" : "F")));
        Assert.Equal(expected, actual);
    }
}
