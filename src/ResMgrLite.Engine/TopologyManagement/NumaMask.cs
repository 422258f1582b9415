using System.Numerics;

namespace ResMgrLite.Engine.TopologyManagement;

/// <summary>NUMA bitmask helpers with the kubelet's ordering rules (docs/kubelet-rules.md §2.1).</summary>
internal static class NumaMask
{
    public static int Count(ulong mask) => BitOperations.PopCount(mask);

    /// <summary>Fewer nodes, or on equal counts the smaller unsigned value ("more lower-numbered bits").</summary>
    public static bool IsNarrowerThan(ulong a, ulong b)
    {
        int ca = Count(a), cb = Count(b);
        return ca != cb ? ca < cb : a < b;
    }

    /// <summary>Binary string with node 0 rightmost, padded to the highest node set.</summary>
    public static string Format(ulong mask)
    {
        if (mask == 0)
        {
            return "0";
        }
        int width = 64 - BitOperations.LeadingZeroCount(mask);
        return string.Create(width, mask, static (span, m) =>
        {
            for (int i = 0; i < span.Length; i++)
            {
                span[span.Length - 1 - i] = (m & (1UL << i)) != 0 ? '1' : '0';
            }
        });
    }

    /// <summary>
    /// Writes every non-empty subset of <paramref name="nodeIds"/> in the kubelet's
    /// <c>IterateBitMasks</c> order: smaller subsets first, lexicographic by position within a size.
    /// Returns how many masks were written.
    /// </summary>
    public static int IterateBitMasks(ReadOnlySpan<int> nodeIds, Span<ulong> output)
    {
        int written = 0;
        Span<int> combo = stackalloc int[nodeIds.Length];
        for (int size = 1; size <= nodeIds.Length; size++)
        {
            for (int i = 0; i < size; i++)
            {
                combo[i] = i;
            }
            while (true)
            {
                ulong mask = 0;
                for (int i = 0; i < size; i++)
                {
                    mask |= 1UL << nodeIds[combo[i]];
                }
                output[written++] = mask;
                if (!Combinations.Next(combo[..size], nodeIds.Length))
                {
                    break;
                }
            }
        }
        return written;
    }

    /// <summary>Number of masks <see cref="IterateBitMasks"/> produces for <paramref name="nodeCount"/> nodes.</summary>
    public static int MaskCount(int nodeCount) => (int)((1UL << nodeCount) - 1);
}
