using ResMgrLite.Config.Validation;
using ResMgrLite.Engine.Model;

namespace ResMgrLite.Plugin;

/// <summary>Where a container's memory request came from.</summary>
internal enum MemoryRequestSource
{
    /// <summary>Nothing usable: the request is taken as 0.</summary>
    Unknown,

    /// <summary>The pod annotation <c>resmgrlite.io/memory-request</c>: exact.</summary>
    Annotation,

    /// <summary>Guaranteed: request = limit (§8), exact.</summary>
    GuaranteedLimit,

    /// <summary>Burstable: inverted from the kubelet's oom_score_adj, a range one oom step wide.</summary>
    OomScoreAdj,

    /// <summary>BestEffort: no request by definition.</summary>
    BestEffort,
}

/// <summary>
/// A reconstructed memory request: the value to use and the range the true request lies in
/// (<see cref="LowerBytes"/> inclusive, <see cref="UpperBytes"/> exclusive; equal bounds = exact).
/// </summary>
internal readonly record struct MemoryRequestEstimate(MemoryRequestSource Source, long Bytes, long LowerBytes, long UpperBytes)
{
    public bool IsExact => LowerBytes == UpperBytes;
}

/// <summary>
/// CRI does not carry memory requests, only limits (docs/kubelet-rules.md Appendix A). This helper
/// reconstructs a container's request from what the plugin sees, in this order:
/// <list type="number">
/// <item>the pod annotation <c>resmgrlite.io/memory-request</c>: comma-separated <c>container=quantity</c>
///   pairs, e.g. <c>app=256Mi,sidecar=64Mi</c> (exact; wins over everything else);</item>
/// <item>Guaranteed: request = limit (exact, §8);</item>
/// <item>Burstable: the inversion of the kubelet's <c>oom_score_adj = 1000 − ⌊1000·request/capacity⌋</c>
///   clamped to [3, 999] (§8). One oom step is capacity/1000 bytes, so the request is known to within
///   that (≈ 67 MB on a 64 GiB node); the lower bound is used, so protection never exceeds the request.
///   A score of 3 only says request ≥ 99.7 % of capacity; 999 says request &lt; 0.2 % of capacity;</item>
/// <item>BestEffort: 0.</item>
/// </list>
/// </summary>
internal static class MemoryRequestInference
{
    public const string AnnotationKey = "resmgrlite.io/memory-request";

    /// <summary>The kubelet's OOM score bounds for Burstable containers (§8: Guaranteed −997 → 1000 − 997).</summary>
    public const int MinBurstableOomScoreAdj = 3;
    public const int MaxBurstableOomScoreAdj = 999;

    /// <summary>
    /// Infers the request of <paramref name="containerName"/>. <paramref name="annotation"/> is the pod's
    /// <see cref="AnnotationKey"/> value (null when absent); <paramref name="oomScoreAdj"/> the container's
    /// OCI oom_score_adj (null when the runtime did not pass it); <paramref name="memoryCapacityBytes"/>
    /// the machine's memory capacity (cAdvisor MemoryCapacity = MemTotal). A malformed annotation is
    /// reported in <paramref name="problem"/> and the next source is used.
    /// </summary>
    public static MemoryRequestEstimate Infer(QosClass qos, string containerName, string? annotation, long? oomScoreAdj, long memoryLimitBytes, long memoryCapacityBytes, out string? problem)
    {
        problem = null;
        if (annotation is not null)
        {
            if (TryFindInAnnotation(annotation, containerName, out long annotated, out problem))
            {
                return new MemoryRequestEstimate(MemoryRequestSource.Annotation, annotated, annotated, annotated);
            }
        }
        switch (qos)
        {
            case QosClass.Guaranteed:
                return new MemoryRequestEstimate(MemoryRequestSource.GuaranteedLimit, memoryLimitBytes, memoryLimitBytes, memoryLimitBytes);
            case QosClass.BestEffort:
                return new MemoryRequestEstimate(MemoryRequestSource.BestEffort, 0, 0, 0);
        }
        if (oomScoreAdj is { } oom && memoryCapacityBytes > 0 && TryInvertOomScoreAdj(oom, memoryCapacityBytes, out long lower, out long upper))
        {
            if (memoryLimitBytes > 0)
            {
                // requests ≤ limits is API-validated.
                lower = Math.Min(lower, memoryLimitBytes);
                upper = Math.Min(upper, memoryLimitBytes);
            }
            return new MemoryRequestEstimate(MemoryRequestSource.OomScoreAdj, lower, lower, upper);
        }
        return new MemoryRequestEstimate(MemoryRequestSource.Unknown, 0, 0, 0);
    }

    /// <summary>
    /// The request range [lower, upper) a Burstable score stands for. With q = 1000 − oom:
    /// ⌊1000·R/C⌋ = q ⇔ q·C/1000 ≤ R &lt; (q+1)·C/1000. The clamps widen the ends: 3 covers every
    /// q ≥ 997 (no upper bound: the request may exceed the capacity), 999 covers q ∈ {0, 1}.
    /// False for scores a Burstable container cannot have.
    /// </summary>
    public static bool TryInvertOomScoreAdj(long oomScoreAdj, long capacityBytes, out long lowerBytes, out long upperBytes)
    {
        lowerBytes = upperBytes = 0;
        if (oomScoreAdj < MinBurstableOomScoreAdj || oomScoreAdj > MaxBurstableOomScoreAdj || capacityBytes <= 0)
        {
            return false;
        }
        long qHigh = 1000 - oomScoreAdj;
        long qLow = oomScoreAdj == MaxBurstableOomScoreAdj ? 0 : qHigh;
        // Smallest R with ⌊1000·R/C⌋ ≥ q is ⌈q·C/1000⌉ (integer maths on 128 bits: 1000·C overflows nothing there).
        lowerBytes = CeilDiv((Int128)qLow * capacityBytes, 1000);
        upperBytes = oomScoreAdj == MinBurstableOomScoreAdj ? long.MaxValue : CeilDiv((Int128)(qHigh + 1) * capacityBytes, 1000);
        return true;
    }

    /// <summary>The kubelet's Burstable formula (§8), for tests and diagnostics.</summary>
    public static long BurstableOomScoreAdj(long requestBytes, long capacityBytes)
    {
        long oom = 1000 - (long)((Int128)1000 * requestBytes / capacityBytes);
        if (oom < MinBurstableOomScoreAdj)
        {
            return MinBurstableOomScoreAdj;
        }
        return oom == 1000 ? MaxBurstableOomScoreAdj : oom;
    }

    private static long CeilDiv(Int128 value, long divisor) => (long)((value + divisor - 1) / divisor);

    /// <summary>Finds <paramref name="containerName"/> in "a=256Mi,b=1Gi"; false with a problem when malformed, false without one when absent.</summary>
    public static bool TryFindInAnnotation(string annotation, string containerName, out long bytes, out string? problem)
    {
        bytes = 0;
        problem = null;
        foreach (string item in annotation.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                problem = $"annotation {AnnotationKey}: \"{item}\" is not container=quantity (e.g. app=256Mi)";
                return false;
            }
            if (!string.Equals(item[..eq].Trim(), containerName, StringComparison.Ordinal))
            {
                continue;
            }
            if (!Quantity.TryParseBytes(item[(eq + 1)..], out bytes, out string? error))
            {
                problem = $"annotation {AnnotationKey}, container {containerName}: {error}";
                return false;
            }
            return true;
        }
        return false;
    }
}
