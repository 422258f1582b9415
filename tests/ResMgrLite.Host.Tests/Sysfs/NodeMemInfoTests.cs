using ResMgrLite.Host.Sysfs;

namespace ResMgrLite.Host.Tests.Sysfs;

public class NodeMemInfoTests
{
    [Fact]
    public void Reads_total_and_free_in_bytes()
    {
        const string text = "Node 0 MemTotal:        5204172 kB\nNode 0 MemFree:         4913696 kB\nNode 0 MemUsed:          290476 kB\n";
        Assert.Equal(new NodeMemInfo(5204172L * 1024, 4913696L * 1024), NodeMemInfo.Parse("meminfo", text));
    }

    [Fact]
    public void Free_is_optional()
    {
        Assert.Equal(new NodeMemInfo(2048, 0), NodeMemInfo.Parse("meminfo", "Node 3 MemTotal: 2 kB"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Node 0 MemFree: 5 kB")]
    [InlineData("Node 0 MemTotal: lots kB")]
    [InlineData("Node 0 MemTotal: 5 MB")]
    public void Total_is_required(string text)
    {
        var error = Assert.Throws<TopologyDiscoveryException>(() => NodeMemInfo.Parse("/x/meminfo", text));
        Assert.Equal("/x/meminfo", error.Path);
    }
}
