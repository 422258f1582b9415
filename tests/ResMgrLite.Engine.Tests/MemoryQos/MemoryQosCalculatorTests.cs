using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.MemoryQos;

namespace ResMgrLite.Engine.Tests.MemoryQos;

/// <summary>Each §6 formula against hand-computed values (docs/kubelet-rules.md §6.2-§6.4).</summary>
public sealed class MemoryQosCalculatorTests
{
    private const long Mi = 1L << 20;
    private const long Gi = 1L << 30;

    private static readonly MemoryQosOptions Tiered = new() { ReservationPolicy = MemoryReservationPolicy.TieredReservation, NodeAllocatableMemoryBytes = 8 * Gi };
    private static readonly MemoryQosOptions NoProtection = new() { NodeAllocatableMemoryBytes = 8 * Gi };

    [Theory]
    // §6.3 examples, factor 0.9, page 4096:
    // 256Mi + 0.9·(1Gi − 256Mi) = 993211187.2 → 242483 pages → 993210368.
    [InlineData(256 * Mi, Gi, 993210368L)]
    // 128Mi + 0.9·128Mi = 255013273.6 → 62259 pages → 255012864.
    [InlineData(128 * Mi, 256 * Mi, 255012864L)]
    // 0.9·1Gi = 966367641.6 → 235929 pages → 966365184.
    [InlineData(0, Gi, 966365184L)]
    // 100Mi + 0.9·100Mi = 199229440 exactly → 48640 pages.
    [InlineData(100 * Mi, 200 * Mi, 199229440L)]
    public void Memory_high_matches_hand_computed_values(long request, long limit, long expected)
    {
        Assert.Equal(expected, MemoryQosCalculator.MemoryHigh(request, limit, NoProtection));
    }

    [Theory]
    // KEP table: 1Mi pages, limit 1000 pages: request 0 → 900, 500 → 950, 900 → 990, 1000 → not set.
    [InlineData(0, 900)]
    [InlineData(500, 950)]
    [InlineData(900, 990)]
    [InlineData(1000, -1)]
    public void Memory_high_follows_the_kep_table(long requestMi, long expectedMi)
    {
        var options = new MemoryQosOptions { PageSizeBytes = Mi };
        long? high = MemoryQosCalculator.MemoryHigh(requestMi * Mi, 1000 * Mi, options);
        Assert.Equal(expectedMi < 0 ? null : expectedMi * Mi, high);
    }

    [Fact]
    public void Memory_high_uses_node_allocatable_without_a_limit_and_skips_when_unknown()
    {
        // 1Gi + 0.9·(8Gi − 1Gi) = 1073741824 + 6764573491.2 = 7838315315.2 → 1913651 pages → 7838314496.
        Assert.Equal(7838314496L, MemoryQosCalculator.MemoryHigh(Gi, 0, NoProtection));
        Assert.Null(MemoryQosCalculator.MemoryHigh(Gi, 0, new MemoryQosOptions()));
    }

    [Fact]
    public void Memory_high_is_not_set_when_it_would_not_exceed_the_request()
    {
        // 4Ki + 0.5·(8Ki − 4Ki) = 6Ki → 1 page (4Ki) → not above the request.
        var options = new MemoryQosOptions { ThrottlingFactor = 0.5 };
        Assert.Null(MemoryQosCalculator.MemoryHigh(4096, 8191, options));
        // Factor 1.0 gives the limit itself, rounded down to a page.
        Assert.Equal(8192, MemoryQosCalculator.MemoryHigh(4096, 8191 + 4096, new MemoryQosOptions { ThrottlingFactor = 1.0 }));
    }

    [Fact]
    public void A_container_without_memory_request_and_limit_gets_memory_high_from_node_allocatable()
    {
        // The v1.37 guard (kubernetes#137685): request 0 == limit 0 no longer skips; a v1.36 kubelet
        // writes nothing here. 0.9·8Gi = 7730941132.8 → 1887436 pages → 7730937856.
        Assert.Equal(7730937856L, MemoryQosCalculator.MemoryHigh(0, 0, NoProtection));
        // 0.5·8Gi = 4Gi exactly.
        Assert.Equal(4 * Gi, MemoryQosCalculator.MemoryHigh(0, 0, NoProtection with { ThrottlingFactor = 0.5 }));
        // Node allocatable unknown: nothing to throttle against.
        Assert.Null(MemoryQosCalculator.MemoryHigh(0, 0, new MemoryQosOptions()));
    }

    [Theory]
    // request == limit > 0 (Guaranteed by memory) keeps no memory.high under both guards.
    [InlineData(Gi, Gi)]
    [InlineData(4096, 4096)]
    public void Equal_nonzero_request_and_limit_get_no_memory_high(long request, long limit)
    {
        Assert.Null(MemoryQosCalculator.MemoryHigh(request, limit, NoProtection));
    }

    [Fact]
    public void Container_values_follow_the_mapping_table()
    {
        MemoryQosValues guaranteed = MemoryQosCalculator.ForContainer(QosClass.Guaranteed, new ContainerResources(1000, 1000, Gi, Gi), Tiered);
        Assert.Equal("memory.min=1073741824 memory.low=0 memory.max=1073741824", guaranteed.ToString());

        MemoryQosValues burstable = MemoryQosCalculator.ForContainer(QosClass.Burstable, new ContainerResources(0, 0, 256 * Mi, Gi), Tiered);
        Assert.Equal("memory.min=0 memory.low=268435456 memory.high=993210368 memory.max=1073741824", burstable.ToString());

        MemoryQosValues burstableNoLimit = MemoryQosCalculator.ForContainer(QosClass.Burstable, new ContainerResources(0, 0, Gi, 0), Tiered);
        Assert.Equal("memory.min=0 memory.low=1073741824 memory.high=7838314496", burstableNoLimit.ToString());

        MemoryQosValues bestEffort = MemoryQosCalculator.ForContainer(QosClass.BestEffort, default, Tiered);
        Assert.Equal("memory.min=0 memory.low=0 memory.high=7730937856", bestEffort.ToString());

        // A Burstable container with a CPU request only: no memory request or limit, so the same
        // memory.high as BestEffort and nothing else.
        MemoryQosValues cpuOnly = MemoryQosCalculator.ForContainer(QosClass.Burstable, new ContainerResources(500, 0, 0, 0), Tiered);
        Assert.Equal("memory.min=0 memory.low=0 memory.high=7730937856", cpuOnly.ToString());
    }

    [Fact]
    public void Policy_none_writes_zero_protection_but_keeps_throttling()
    {
        MemoryQosValues guaranteed = MemoryQosCalculator.ForContainer(QosClass.Guaranteed, new ContainerResources(1000, 1000, Gi, Gi), NoProtection);
        Assert.Equal("memory.min=0 memory.low=0 memory.max=1073741824", guaranteed.ToString());
        MemoryQosValues burstable = MemoryQosCalculator.ForContainer(QosClass.Burstable, new ContainerResources(0, 0, 256 * Mi, Gi), NoProtection);
        Assert.Equal("memory.min=0 memory.low=0 memory.high=993210368 memory.max=1073741824", burstable.ToString());
    }

    [Fact]
    public void Pod_values_protect_the_pod_request_plus_overhead()
    {
        // §6.4: two Burstable containers of 100Mi each → memory.low = 209715200.
        var pod = new PodSpec("p", "p", "ns", QosClass.Burstable);
        pod.Containers.Add(new ContainerSpec("a", ContainerRole.App, new ContainerResources(0, 0, 100 * Mi, 0)));
        pod.Containers.Add(new ContainerSpec("b", ContainerRole.App, new ContainerResources(0, 0, 100 * Mi, 0)));
        long request = PodMemoryRequest.Of(pod);
        Assert.Equal(209715200, request);
        Assert.Equal("memory.min=0 memory.low=209715200", MemoryQosCalculator.ForPod(QosClass.Burstable, request, Tiered).ToString());
        Assert.Equal("memory.min=209715200 memory.low=0", MemoryQosCalculator.ForPod(QosClass.Guaranteed, request, Tiered).ToString());
        Assert.Equal("memory.min=0 memory.low=0", MemoryQosCalculator.ForPod(QosClass.Burstable, request, NoProtection).ToString());
        Assert.Equal(209715200 + 64 * Mi, PodMemoryRequest.Of(pod, 64 * Mi));
    }

    [Fact]
    public void Pod_request_uses_the_sidecar_rule_or_the_pod_level_request()
    {
        var pod = new PodSpec("p", "p", "ns", QosClass.Burstable);
        pod.Containers.Add(new ContainerSpec("side", ContainerRole.Sidecar, new ContainerResources(0, 0, 100 * Mi, 0)));
        pod.Containers.Add(new ContainerSpec("init", ContainerRole.Init, new ContainerResources(0, 0, 500 * Mi, 0)));
        pod.Containers.Add(new ContainerSpec("app", ContainerRole.App, new ContainerResources(0, 0, 200 * Mi, 0)));
        // max(100 + 500, 200 + 100) = 600Mi.
        Assert.Equal(600 * Mi, PodMemoryRequest.Of(pod));
        var podLevel = new PodSpec("q", "q", "ns", QosClass.Burstable, new ContainerResources(1000, 2000, Gi, 2 * Gi));
        podLevel.Containers.Add(new ContainerSpec("app", ContainerRole.App, new ContainerResources(0, 0, 200 * Mi, 0)));
        Assert.Equal(Gi, PodMemoryRequest.Of(podLevel));
    }

    [Theory]
    [InlineData(0.0, 1)]
    [InlineData(1.1, 1)]
    [InlineData(1.0, 0)]
    [InlineData(0.9, 0)]
    public void Throttling_factor_must_be_in_range(double factor, int problems)
    {
        Assert.Equal(problems, new MemoryQosOptions { ThrottlingFactor = factor }.Problems().Count);
    }
}
