using CsCheck;
using ResMgrLite.Config.Validation;
using ResMgrLite.Engine.Model;
using ResMgrLite.Plugin;

namespace ResMgrLite.Tests.Plugin;

/// <summary>Reconstructing memory requests CRI does not carry (docs/inputs-memory.md).</summary>
public sealed class MemoryRequestInferenceTests
{
    private const long Mi = 1L << 20;
    private const long Gi = 1L << 30;

    [Fact]
    public void The_oom_score_inversion_brackets_the_true_request()
    {
        Gen.Select(Gen.Long[1 * Gi, 4096 * Gi], Gen.Double[0, 1.2]).Sample((capacity, fraction) =>
        {
            long request = (long)(capacity * fraction);
            long oom = MemoryRequestInference.BurstableOomScoreAdj(request, capacity);
            Assert.InRange(oom, 3, 999);
            Assert.True(MemoryRequestInference.TryInvertOomScoreAdj(oom, capacity, out long lower, out long upper));
            Assert.InRange(request, lower, upper - 1);
            if (oom is > 3 and < 999)
            {
                // One oom step: capacity/1000 bytes, give or take the rounding of both ends.
                Assert.InRange(upper - lower, capacity / 1000, capacity / 1000 + 1);
            }
        });
    }

    [Fact]
    public void Burstable_requests_come_from_the_oom_score()
    {
        // 64Gi node, 1Gi request: oom = 1000 − ⌊1000/64⌋ = 985 → q = 15 → [15·64Gi/1000, 16·64Gi/1000).
        long capacity = 64 * Gi;
        Assert.Equal(985, MemoryRequestInference.BurstableOomScoreAdj(Gi, capacity));
        MemoryRequestEstimate e = MemoryRequestInference.Infer(QosClass.Burstable, "app", null, 985, 0, capacity, out string? problem);
        Assert.Null(problem);
        Assert.Equal(MemoryRequestSource.OomScoreAdj, e.Source);
        Assert.Equal(1030792152, e.LowerBytes);
        Assert.Equal(1099511628, e.UpperBytes);
        Assert.Equal(e.LowerBytes, e.Bytes);
        Assert.InRange(Gi, e.LowerBytes, e.UpperBytes - 1);
        // The limit caps the range.
        MemoryRequestEstimate capped = MemoryRequestInference.Infer(QosClass.Burstable, "app", null, 985, 1000 * Mi, capacity, out _);
        Assert.Equal(1000 * Mi, capped.UpperBytes);
    }

    [Fact]
    public void The_annotation_wins_and_other_classes_are_exact()
    {
        const string annotation = "init=64Mi, app=1.5Gi,side=500M";
        MemoryRequestEstimate app = MemoryRequestInference.Infer(QosClass.Burstable, "app", annotation, 985, 0, 64 * Gi, out _);
        Assert.Equal(new MemoryRequestEstimate(MemoryRequestSource.Annotation, 1536 * Mi, 1536 * Mi, 1536 * Mi), app);
        Assert.Equal(500_000_000, MemoryRequestInference.Infer(QosClass.Burstable, "side", annotation, null, 0, 0, out _).Bytes);

        MemoryRequestEstimate guaranteed = MemoryRequestInference.Infer(QosClass.Guaranteed, "other", annotation, -997, 2 * Gi, 64 * Gi, out _);
        Assert.Equal(MemoryRequestSource.GuaranteedLimit, guaranteed.Source);
        Assert.Equal(2 * Gi, guaranteed.Bytes);
        Assert.True(guaranteed.IsExact);
        Assert.Equal(MemoryRequestSource.BestEffort, MemoryRequestInference.Infer(QosClass.BestEffort, "x", null, 1000, 0, 64 * Gi, out _).Source);
        Assert.Equal(MemoryRequestSource.Unknown, MemoryRequestInference.Infer(QosClass.Burstable, "x", null, null, 0, 64 * Gi, out _).Source);
    }

    [Fact]
    public void A_malformed_annotation_is_reported_and_the_next_source_used()
    {
        MemoryRequestEstimate e = MemoryRequestInference.Infer(QosClass.Guaranteed, "app", "app=12XB", null, Gi, 64 * Gi, out string? problem);
        Assert.Equal(MemoryRequestSource.GuaranteedLimit, e.Source);
        Assert.Equal("annotation resmgrlite.io/memory-request, container app: \"12XB\" is not a Kubernetes quantity (e.g. 256Mi, 1Gi, 500M, 1073741824)", problem);
        MemoryRequestInference.Infer(QosClass.Guaranteed, "app", "256Mi", null, Gi, 64 * Gi, out problem);
        Assert.Equal("annotation resmgrlite.io/memory-request: \"256Mi\" is not container=quantity (e.g. app=256Mi)", problem);
    }

    [Theory]
    [InlineData("1073741824", 1073741824L)]
    [InlineData("1Gi", 1073741824L)]
    [InlineData("256Mi", 268435456L)]
    [InlineData("1.5Ki", 1536L)]
    [InlineData("1G", 1000000000L)]
    [InlineData("129e6", 129000000L)]
    [InlineData("0.5", 1L)]
    [InlineData(" 256Mi ", 268435456L)]
    [InlineData("8Ei", -1L)]
    [InlineData("-1Mi", -2L)]
    public void Byte_quantities_parse_like_kubernetes(string text, long expected)
    {
        bool ok = Quantity.TryParseBytes(text, out long bytes, out string? error);
        if (expected < 0)
        {
            Assert.False(ok);
            Assert.EndsWith(expected == -1 ? "is too large" : "is negative", error, StringComparison.Ordinal);
            return;
        }
        Assert.True(ok, error);
        Assert.Equal(expected, bytes);
    }
}
