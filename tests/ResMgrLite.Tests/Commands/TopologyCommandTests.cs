using System.Text.Json;
using ResMgrLite.Commands;
using ResMgrLite.TestSupport.Sysfs;

namespace ResMgrLite.Tests.Commands;

public class TopologyCommandTests
{
    private static (int ExitCode, string Stdout, string Stderr) Run(SysfsTree tree, bool json)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exitCode = TopologyCommand.Run(tree.SysfsRoot, tree.ProcRoot, json, stdout, stderr);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Text_output_of_a_two_cpu_hybrid_host_shows_socket_node_cpus_and_cgroups()
    {
        using SysfsTree tree = SysfsFixtures.TwoCpuHybridHost().WriteTree();

        var (exitCode, stdout, stderr) = Run(tree, json: false);

        Assert.Equal(0, exitCode);
        Assert.Empty(stderr);
        Assert.StartsWith("Machine: 1 socket, 1 NUMA node, 2 cores, 2 CPUs\n", stdout, StringComparison.Ordinal);
        Assert.Contains("Online CPUs:   0-1\n", stdout, StringComparison.Ordinal);
        Assert.Contains("Socket 0: CPUs 0-1\n  NUMA node 0: CPUs 0-1\n    Memory: 4.0 GiB total, 3.0 GiB free\n", stdout, StringComparison.Ordinal);
        Assert.Contains("    hugepages-2Mi: 0 pages (0 B), 0 free\n", stdout, StringComparison.Ordinal);
        Assert.Contains("    Core 1 (core_id 1): threads 1, uncore 0\n", stdout, StringComparison.Ordinal);
        Assert.Contains("cgroups: cgroup v1 hybrid", stdout, StringComparison.Ordinal);
        Assert.Contains("  cgroup2 at /sys/fs/cgroup/unified, controllers: (none)\n", stdout, StringComparison.Ordinal);
        Assert.Contains("  v1 cpuset at /sys/fs/cgroup/cpuset\n", stdout, StringComparison.Ordinal);
        Assert.Contains("Memory QoS needs cgroup v2", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_output_lists_distances_uncore_groups_offline_and_isolated()
    {
        using SysfsTree tree = new SysfsMachineBuilder()
            .Sockets(2).CoresPerSocket(8).ThreadsPerCore(2).NumaNodesPerSocket(2).CoresPerL3(2)
            .Offline(ResMgrLite.Engine.CpuSet.Of(31)).Isolated(ResMgrLite.Engine.CpuSet.Of(1, 17))
            .Build().WriteTree();

        var (exitCode, stdout, _) = Run(tree, json: false);

        Assert.Equal(0, exitCode);
        Assert.Contains("Offline CPUs:  31\n", stdout, StringComparison.Ordinal);
        Assert.Contains("Isolated CPUs: 1,17\n", stdout, StringComparison.Ordinal);
        Assert.Contains("NUMA distances:\n  node    0    1    2    3\n     0   10   11   21   21\n", stdout, StringComparison.Ordinal);
        Assert.Contains("  uncore 1: CPUs 2-3,18-19, L3 32.0 MiB\n", stdout, StringComparison.Ordinal);
        Assert.Contains("cgroups: cgroup v2 (unified)\n", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Memory QoS needs", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_output_carries_the_model()
    {
        using SysfsTree tree = SysfsFixtures.DualSocketIntelHt().WriteTree();

        var (exitCode, stdout, _) = Run(tree, json: true);

        Assert.Equal(0, exitCode);
        using JsonDocument document = JsonDocument.Parse(stdout);
        JsonElement root = document.RootElement;
        Assert.Equal("0-39", root.GetProperty("online").GetString());
        Assert.Equal(40, root.GetProperty("cpus").GetArrayLength());
        JsonElement cpu30 = root.GetProperty("cpus")[30];
        Assert.Equal((30, 10, 1, 1), (cpu30.GetProperty("cpu").GetInt32(), cpu30.GetProperty("coreId").GetInt32(),
            cpu30.GetProperty("socketId").GetInt32(), cpu30.GetProperty("numaNodeId").GetInt32()));
        JsonElement node1 = root.GetProperty("numaNodes")[1];
        Assert.Equal("10-19,30-39", node1.GetProperty("cpus").GetString());
        Assert.Equal([21, 10], node1.GetProperty("distances").EnumerateArray().Select(d => d.GetInt32()));
        Assert.Equal(4L << 30, node1.GetProperty("memoryTotalBytes").GetInt64());
        JsonElement pool = node1.GetProperty("hugePages")[0];
        Assert.Equal(("hugepages-2Mi", 512, 500), (pool.GetProperty("resourceName").GetString(), pool.GetProperty("total").GetInt32(), pool.GetProperty("free").GetInt32()));
        Assert.Equal(20, root.GetProperty("cores").GetArrayLength());
        Assert.Equal("unified", root.GetProperty("cgroups").GetProperty("mode").GetString());
        Assert.Equal("/sys/fs/cgroup", root.GetProperty("cgroups").GetProperty("unifiedMountPoint").GetString());
    }

    [Fact]
    public void Broken_tree_fails_with_the_path_on_stderr()
    {
        using SysfsTree tree = SysfsFixtures.SingleSocketHt().WriteTree();
        tree.DeleteSys("devices/system/cpu/cpu3/topology/physical_package_id");

        var (exitCode, stdout, stderr) = Run(tree, json: false);

        Assert.Equal(1, exitCode);
        Assert.Empty(stdout);
        Assert.Equal(
            $"resmgrlite topology: {tree.Sys("devices/system/cpu/cpu3/topology/physical_package_id")}: is missing{Environment.NewLine}",
            stderr);
    }

    [Theory]
    [InlineData(512, "512 B")]
    [InlineData(2048, "2.0 KiB")]
    [InlineData(32L << 20, "32.0 MiB")]
    [InlineData(5204172L * 1024, "5.0 GiB")]
    public void Sizes_are_printed_in_binary_units(long bytes, string expected) =>
        Assert.Equal(expected, TopologyCommand.Bytes(bytes));

    [Fact]
    public void Runs_against_the_real_host_when_it_has_sysfs()
    {
        if (!Directory.Exists("/sys/devices/system/cpu") || !File.Exists("/proc/self/mountinfo"))
        {
            return;
        }
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        int exitCode = TopologyCommand.Run("/sys", "/proc", json: false, stdout, stderr);

        Assert.Equal(0, exitCode);
        Assert.StartsWith("Machine: ", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("cgroups: ", stdout.ToString(), StringComparison.Ordinal);
    }
}
