using ResMgrLite.CriTool.Demo;
using ResMgrLite.CriTool.Kube;
using ResMgrLite.CriTool.Sandbox;

namespace ResMgrLite.EndToEnd.Tests.Driver;

public sealed class DemoPodsTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]    // this machine: one CPU reserved, one to give
    [InlineData(3, 2)]
    [InlineData(64, 2)]
    public void Guaranteed_pod_asks_for_min_of_2_and_cpus_minus_1(int onlineCpus, int expected) =>
        Assert.Equal(expected, DemoPods.GuaranteedCpuCount(onlineCpus));

    [Fact]
    public void Demo_set_has_one_pod_per_qos_class_and_the_guaranteed_one_asks_for_whole_cpus()
    {
        var pods = DemoPods.Create(2);
        Assert.Equal([QosClass.Guaranteed, QosClass.Burstable, QosClass.BestEffort], pods.Select(p => p.QosClass));
        Assert.Equal(2000, pods[0].Containers[0].Requests.MilliCpu);
        Assert.Equal(2000, pods[0].Containers[0].Limits.MilliCpu);
    }

    [Theory]
    [InlineData("50-resmgrlite")]
    [InlineData("00-a")]
    public void Valid_pre_launched_names_pass(string name) => PreLaunchedPlugin.ValidateFileName(name);

    [Theory]
    [InlineData("resmgrlite")]     // no index: fatal to containerd 1.7.24
    [InlineData("5-resmgrlite")]
    [InlineData("500-resmgrlite")]
    [InlineData("ab-resmgrlite")]
    [InlineData("50-")]
    public void Malformed_pre_launched_names_are_refused_before_containerd_sees_them(string name) =>
        Assert.Throws<ArgumentException>(() => PreLaunchedPlugin.ValidateFileName(name));
}
