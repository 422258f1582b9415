using ResMgrLite.Engine.Topology;

namespace ResMgrLite.Engine.Tests.Topology;

public class HugePagePoolTests
{
    [Theory]
    [InlineData(2048, "hugepages-2Mi")]
    [InlineData(1048576, "hugepages-1Gi")]
    [InlineData(64, "hugepages-64Ki")]
    [InlineData(32768, "hugepages-32Mi")]
    [InlineData(16777216, "hugepages-16Gi")]
    [InlineData(1536, "hugepages-1536Ki")]
    public void Resource_name_uses_the_largest_exact_binary_unit(long pageSizeKiB, string expected) =>
        Assert.Equal(expected, new HugePagePool(pageSizeKiB, 0, 0).ResourceName);

    [Fact]
    public void Total_bytes_is_pages_times_page_size()
    {
        // docs/kubelet-rules.md §4.2: total = NumPages × PageSizeKiB × 1024.
        Assert.Equal(3L * 2048 * 1024, new HugePagePool(2048, 3, 1).TotalBytes);
    }
}
