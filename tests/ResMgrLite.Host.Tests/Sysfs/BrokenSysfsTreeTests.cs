using ResMgrLite.Host.Sysfs;
using ResMgrLite.TestSupport.Sysfs;

namespace ResMgrLite.Host.Tests.Sysfs;

/// <summary>Every way a tree can be broken yields an error naming the file and the problem.</summary>
public class BrokenSysfsTreeTests
{
    private static TopologyDiscoveryException Break(SysfsMachine machine, Action<SysfsTree> damage, out SysfsTree tree)
    {
        tree = machine.WriteTree();
        damage(tree);
        string root = tree.SysfsRoot;
        return Assert.Throws<TopologyDiscoveryException>(() => SysfsTopologyDiscovery.Discover(root));
    }

    private static void AssertError(SysfsMachine machine, Action<SysfsTree> damage, string relativePath, string problemFragment)
    {
        TopologyDiscoveryException error = Break(machine, damage, out SysfsTree tree);
        using (tree)
        {
            Assert.Equal(tree.Sys(relativePath), error.Path);
            Assert.Contains(problemFragment, error.Problem, StringComparison.Ordinal);
            Assert.StartsWith(error.Path + ": ", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Root_without_cpu_directory()
    {
        using SysfsTree tree = SysfsTree.CreateEmpty();
        var error = Assert.Throws<TopologyDiscoveryException>(() => SysfsTopologyDiscovery.Discover(tree.SysfsRoot));
        Assert.Equal(tree.Sys("devices/system/cpu"), error.Path);
        Assert.Contains("does not look like a sysfs tree", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_online_list() =>
        AssertError(SysfsFixtures.SingleSocketHt(), t => t.WriteSys("devices/system/cpu/online", "0-3x"),
            "devices/system/cpu/online", "not a valid cpulist");

    [Fact]
    public void Malformed_isolated_list() =>
        AssertError(SysfsFixtures.SingleSocketHt(), t => t.WriteSys("devices/system/cpu/isolated", "1-"),
            "devices/system/cpu/isolated", "not a valid cpulist");

    [Fact]
    public void Online_cpu_without_directory() =>
        AssertError(SysfsFixtures.SingleSocketHt(), t => t.DeleteSys("devices/system/cpu/cpu5"),
            "devices/system/cpu/cpu5", "is missing although the cpu is listed");

    [Fact]
    public void Missing_core_id() =>
        AssertError(SysfsFixtures.SingleSocketHt(), t => t.DeleteSys("devices/system/cpu/cpu2/topology/core_id"),
            "devices/system/cpu/cpu2/topology/core_id", "is missing");

    [Fact]
    public void Garbage_package_id() =>
        AssertError(SysfsFixtures.SingleSocketHt(), t => t.WriteSys("devices/system/cpu/cpu2/topology/physical_package_id", "zero\x01"),
            "devices/system/cpu/cpu2/topology/physical_package_id", "holds \"zero\\x01\", expected an integer");

    [Fact]
    public void Meminfo_without_mem_total() =>
        AssertError(SysfsFixtures.SingleSocketHt(), t => t.WriteSys("devices/system/node/node0/meminfo", "Node 0 MemFree: 12 kB\n"),
            "devices/system/node/node0/meminfo", "MemTotal");

    [Fact]
    public void Garbage_distance() =>
        AssertError(SysfsFixtures.DualSocketIntelHt(), t => t.WriteSys("devices/system/node/node1/distance", "21 ten"),
            "devices/system/node/node1/distance", "entry 2 \"ten\"");

    [Fact]
    public void Badly_named_huge_page_pool() =>
        AssertError(SysfsFixtures.DualSocketIntelHt(), t => t.WriteSys("devices/system/node/node0/hugepages/hugepages-2MB/nr_hugepages", "1"),
            "devices/system/node/node0/hugepages/hugepages-2MB", "hugepages-<size>kB");

    [Fact]
    public void Garbage_nr_hugepages() =>
        AssertError(SysfsFixtures.DualSocketIntelHt(), t => t.WriteSys("devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages", "-1"),
            "devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages", "non-negative integer");

    [Fact]
    public void Garbage_shared_cpu_map() =>
        AssertError(SysfsFixtures.SingleSocketHt(), t => t.WriteSys("devices/system/cpu/cpu0/cache/index3/shared_cpu_map", "ff,zz"),
            "devices/system/cpu/cpu0/cache/index3/shared_cpu_map", "hex CPU mask");

    [Fact]
    public void Garbage_cache_size() =>
        AssertError(SysfsFixtures.SingleSocketHt(), t => t.WriteSys("devices/system/cpu/cpu1/cache/index3/size", "32MB"),
            "devices/system/cpu/cpu1/cache/index3/size", "expected a size like 32768K");

    [Fact]
    public void Cpu_directory_beyond_the_supported_maximum() =>
        AssertError(SysfsFixtures.SingleSocketHt(), t =>
            {
                t.DeleteSys("devices/system/cpu/online");
                t.WriteSys("devices/system/cpu/cpu5000/online", "1");
            },
            "devices/system/cpu/cpu5000", "exceeds the supported maximum 4095");

    [Fact]
    public void Online_cpu_under_no_node_is_reported_against_the_root()
    {
        TopologyDiscoveryException error = Break(
            SysfsFixtures.SingleSocketHt(), t => File.Delete(t.Sys("devices/system/node/node0/cpu6")), out SysfsTree tree);
        using (tree)
        {
            Assert.Equal(tree.SysfsRoot, error.Path);
            Assert.Contains("online cpu 6 is listed under no NUMA node", error.Problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Distance_row_of_the_wrong_length_is_reported()
    {
        TopologyDiscoveryException error = Break(
            SysfsFixtures.DualSocketIntelHt(), t => t.WriteSys("devices/system/node/node0/distance", "10 21 21"), out SysfsTree tree);
        using (tree)
        {
            Assert.Contains("NUMA node 0 has 3 distances but the machine has 2 nodes", error.Problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Empty_online_list_is_reported()
    {
        TopologyDiscoveryException error = Break(
            SysfsFixtures.SingleSocketHt(), t => t.WriteSys("devices/system/cpu/online", ""), out SysfsTree tree);
        using (tree)
        {
            Assert.Contains("no online CPU", error.Problem, StringComparison.Ordinal);
        }
    }
}
