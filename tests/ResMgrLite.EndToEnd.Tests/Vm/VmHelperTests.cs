using ResMgrLite.Config;
using ResMgrLite.Config.Sources;
using ResMgrLite.Engine;

namespace ResMgrLite.EndToEnd.Tests.Vm;

/// <summary>
/// The VM scenario's own arithmetic and parsers, checked without a VM: a wrong expectation
/// there would make a correct plugin fail (or a broken one pass) in the slow test.
/// </summary>
public sealed class VmHelperTests
{
    [Theory]
    // docs/kubelet-rules.md §6.3 examples (factor 0.9, page 4096).
    [InlineData(256L << 20, 1L << 30, 993210368L)]
    [InlineData(128L << 20, 256L << 20, 255012864L)]
    [InlineData(0L, 1L << 30, 966365184L)]
    [InlineData(100L << 20, 200L << 20, 199229440L)]
    public void Memory_high_matches_the_spec_examples(long request, long limit, long expected) =>
        Assert.Equal(expected, VmPluginConfig.MemoryHigh(request, limit));

    [Theory]
    // runc: 1 + ((shares - 2) * 9999) / 262142; the kubelet's minimum, one CPU, the maximum.
    [InlineData(2L, "1")]
    [InlineData(1024L, "39")]
    [InlineData(2048L, "79")]
    [InlineData(262144L, "10000")]
    [InlineData(0L, "0")]
    public void Cpu_weight_follows_runcs_conversion(long shares, string expected) =>
        Assert.Equal(expected, RuncCgroupV2.CpuWeight(shares));

    [Fact]
    public void Cpu_max_and_memory_max_spell_no_limit_as_max()
    {
        Assert.Equal("200000 100000", RuncCgroupV2.CpuMax(200_000, 100_000));
        Assert.Equal("max 100000", RuncCgroupV2.CpuMax(0, 100_000));
        Assert.Equal("134217728", RuncCgroupV2.MemoryMax(134_217_728));
        Assert.Equal("max", RuncCgroupV2.MemoryMax(0));
    }

    [Fact]
    public void Plugin_configuration_is_valid_for_the_guest_machine()
    {
        // The guest as tests/vm/boot.sh builds it: CPUs 0-7, two nodes of 512 MiB, no hugepages.
        var guest = new MachineFacts(
            CpuSet.Range(0, 7),
            [new Engine.Memory.NumaMemoryInfo(0, 512L << 20), new Engine.Memory.NumaMemoryInfo(1, 512L << 20)]);
        var result = ConfigLoader.Load([ConfigDocument.FromToml(VmPluginConfig.Text, "vm-plugin.conf")], guest);
        Assert.True(result.IsValid, string.Join('\n', result.Problems));
    }

    [Fact]
    public void Cgroup_dump_output_is_read_per_cgroup_and_file()
    {
        var snapshot = CgroupSnapshot.Parse(
            "/kubepods|exists|1\n/kubepods|cgroup.subtree_control|cpuset cpu memory\n/kubepods/pod1/abc|exists|0\n/kubepods|memory.min|0\n");
        Assert.True(snapshot.Exists("/kubepods"));
        Assert.False(snapshot.Exists("/kubepods/pod1/abc"));
        Assert.False(snapshot.Exists("/never/listed"));
        Assert.Equal("cpuset cpu memory", snapshot.Read("/kubepods", "cgroup.subtree_control"));
        Assert.Equal("0", snapshot.Read("/kubepods", "memory.min"));
        Assert.Null(snapshot.Read("/kubepods", "memory.max"));
    }

    [Fact]
    public void Guest_facts_are_read_from_key_value_lines()
    {
        var facts = GuestFacts.Parse(
            "node0.cpulist=0-3\nnode1.cpulist=4-7\nnodes=0,1\ncpu5.siblings=4-5\nmemtotal_kb=1000\ncgroup.controllers=cpuset cpu io memory\n");
        Assert.Equal([0, 1], facts.NumaNodes);
        Assert.Equal("4-7", facts.NodeCpus(1));
        Assert.Equal("4-5", facts.Siblings(5));
        Assert.Equal(1_024_000, facts.MemoryCapacityBytes);
        Assert.Equal(["cpuset", "cpu", "io", "memory"], facts.Controllers);
        Assert.Null(facts["missing"]);
    }

    [Fact]
    public void Failed_checks_are_all_reported_and_passing_ones_counted()
    {
        var checks = new ScenarioChecks();
        checks.Equal(VmAssertionGroup.GuestTopology, "0-3", "0-3", "node 0");
        checks.Equal(VmAssertionGroup.GuestTopology, "4-7", "4-6", "node 1");
        checks.True(VmAssertionGroup.CgroupV2, false, "cpuset delegated");
        var failure = Assert.Throws<Xunit.Sdk.FailException>(() => checks.AssertAllPassed(() => "diagnostics here"));
        Assert.Contains("2 VM scenario check(s) failed", failure.Message, StringComparison.Ordinal);
        Assert.Contains("[GuestTopology] node 1: expected '4-7', found '4-6'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("[CgroupV2] cpuset delegated", failure.Message, StringComparison.Ordinal);
        Assert.Contains("GuestTopology (1)", checks.Summary(), StringComparison.Ordinal);
        Assert.Contains("diagnostics here", failure.Message, StringComparison.Ordinal);
    }
}
