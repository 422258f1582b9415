using ResMgrLite.CriTool.Kube;

namespace ResMgrLite.EndToEnd.Tests.Driver;

/// <summary>The driver must ask for what a kubelet would; these values are the kubelet's own.</summary>
public sealed class KubeletFormulasTests
{
    [Theory]
    [InlineData(0, 2)]      // no request: MinShares
    [InlineData(1, 2)]      // 1·1024/1000 rounds to 1, raised to MinShares
    [InlineData(100, 102)]
    [InlineData(250, 256)]
    [InlineData(1000, 1024)]
    [InlineData(2500, 2560)]
    public void MilliCpuToShares_matches_the_kubelet(long milliCpu, long shares) =>
        Assert.Equal(shares, KubeletFormulas.MilliCpuToShares(milliCpu));

    [Theory]
    [InlineData(0, 0)]        // no limit: no quota
    [InlineData(5, 1000)]     // raised to the 1 ms minimum
    [InlineData(500, 50_000)]
    [InlineData(2000, 200_000)]
    public void MilliCpuToQuota_matches_the_kubelet(long milliCpu, long quota) =>
        Assert.Equal(quota, KubeletFormulas.MilliCpuToQuota(milliCpu, KubeletFormulas.QuotaPeriodMicroseconds));

    [Theory]
    [InlineData(nameof(QosClass.Guaranteed), 0, -997)]
    [InlineData(nameof(QosClass.BestEffort), 0, 1000)]
    [InlineData(nameof(QosClass.Burstable), 0, 999)]      // 1000 would tie BestEffort
    [InlineData(nameof(QosClass.Burstable), 500, 500)]
    [InlineData(nameof(QosClass.Burstable), 1000, 3)]     // 0, raised above Guaranteed's 1000 − 997
    [InlineData(nameof(QosClass.Burstable), 999, 3)]
    [InlineData(nameof(QosClass.Burstable), 250, 750)]
    public void OomScoreAdj_follows_the_qos_rule(string qos, long requestPerMille, int expected) =>
        Assert.Equal(expected, KubeletFormulas.OomScoreAdj(Enum.Parse<QosClass>(qos), requestPerMille * 1_000_000, 1_000_000_000));

    [Theory]
    [InlineData(nameof(QosClass.Guaranteed), "/kubepods/podabc")]
    [InlineData(nameof(QosClass.Burstable), "/kubepods/burstable/podabc")]
    [InlineData(nameof(QosClass.BestEffort), "/kubepods/besteffort/podabc")]
    public void Pod_cgroup_parent_follows_the_cgroupfs_layout(string qos, string parent) =>
        Assert.Equal(parent, KubeletFormulas.PodCgroupParent(Enum.Parse<QosClass>(qos), "abc"));

    [Fact]
    public void Container_resources_carry_shares_quota_memory_and_oom_score()
    {
        var container = new ContainerSpec("c", new ResourceAmounts(250, ResourceAmounts.Mebibytes(64)), new ResourceAmounts(500, ResourceAmounts.Mebibytes(128)));
        var pod = new PodSpec("p", [container]);
        var resources = KubeletFormulas.ContainerResources(pod, container, memoryCapacityBytes: ResourceAmounts.Mebibytes(1024));
        Assert.Equal(256, resources.CpuShares);
        Assert.Equal(50_000, resources.CpuQuota);
        Assert.Equal(100_000, resources.CpuPeriod);
        Assert.Equal(ResourceAmounts.Mebibytes(128), resources.MemoryLimitInBytes);
        Assert.Equal(1000 - (1000 * 64 / 1024), resources.OomScoreAdj);
        Assert.Equal("", resources.CpusetCpus);
    }

    [Fact]
    public void Unlimited_container_gets_no_quota_and_no_memory_limit()
    {
        var container = new ContainerSpec("c", new ResourceAmounts(100, 0), ResourceAmounts.None);
        var resources = KubeletFormulas.ContainerResources(new PodSpec("p", [container]), container, ResourceAmounts.Mebibytes(1024));
        Assert.Equal(102, resources.CpuShares);
        Assert.Equal(0, resources.CpuQuota);
        Assert.Equal(0, resources.CpuPeriod);
        Assert.Equal(0, resources.MemoryLimitInBytes);
    }
}
