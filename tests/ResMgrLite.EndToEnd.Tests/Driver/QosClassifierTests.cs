using ResMgrLite.CriTool.Kube;

namespace ResMgrLite.EndToEnd.Tests.Driver;

/// <summary>docs/kubelet-rules.md §8, classic rule, as the driver applies it.</summary>
public sealed class QosClassifierTests
{
    private static readonly ResourceAmounts OneCpu128Mi = new(1000, ResourceAmounts.Mebibytes(128));

    [Fact]
    public void Requests_equal_to_limits_for_cpu_and_memory_is_Guaranteed() =>
        Assert.Equal(QosClass.Guaranteed, QosClassifier.Classify([new ContainerSpec("a", OneCpu128Mi, OneCpu128Mi)]));

    [Fact]
    public void Limits_only_default_the_requests_and_is_Guaranteed()
    {
        var container = new ContainerSpec("a", ResourceAmounts.None, OneCpu128Mi);
        Assert.Equal(OneCpu128Mi, container.Requests);
        Assert.Equal(QosClass.Guaranteed, QosClassifier.Classify([container]));
    }

    [Fact]
    public void Nothing_anywhere_is_BestEffort() =>
        Assert.Equal(QosClass.BestEffort, QosClassifier.Classify([new ContainerSpec("a", ResourceAmounts.None, ResourceAmounts.None), new ContainerSpec("b", ResourceAmounts.None, ResourceAmounts.None)]));

    [Fact]
    public void Request_below_limit_is_Burstable() =>
        Assert.Equal(QosClass.Burstable, QosClassifier.Classify([new ContainerSpec("a", new ResourceAmounts(500, ResourceAmounts.Mebibytes(128)), OneCpu128Mi)]));

    [Fact]
    public void A_cpu_limit_without_a_memory_limit_is_Burstable() =>
        Assert.Equal(QosClass.Burstable, QosClassifier.Classify([new ContainerSpec("a", new ResourceAmounts(1000, 0), new ResourceAmounts(1000, 0))]));

    [Fact]
    public void One_unlimited_container_makes_the_pod_Burstable() =>
        Assert.Equal(QosClass.Burstable, QosClassifier.Classify(
        [
            new ContainerSpec("a", OneCpu128Mi, OneCpu128Mi),
            new ContainerSpec("b", ResourceAmounts.None, ResourceAmounts.None),
        ]));

    [Fact]
    public void Two_guaranteed_containers_make_a_Guaranteed_pod() =>
        Assert.Equal(QosClass.Guaranteed, QosClassifier.Classify(
        [
            new ContainerSpec("a", OneCpu128Mi, OneCpu128Mi),
            new ContainerSpec("b", new ResourceAmounts(250, ResourceAmounts.Mebibytes(32)), new ResourceAmounts(250, ResourceAmounts.Mebibytes(32))),
        ]));
}
