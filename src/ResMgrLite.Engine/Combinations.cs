namespace ResMgrLite.Engine;

/// <summary>k-combinations of 0..n-1 in lexicographic order, in place (the kubelet's <c>iterateCombinations</c> order).</summary>
internal static class Combinations
{
    /// <summary>Advances <paramref name="combo"/> to the next k-combination of 0..<paramref name="n"/>-1; false after the last one.</summary>
    public static bool Next(Span<int> combo, int n)
    {
        int k = combo.Length;
        int i = k - 1;
        while (i >= 0 && combo[i] == n - k + i)
        {
            i--;
        }
        if (i < 0)
        {
            return false;
        }
        combo[i]++;
        for (int j = i + 1; j < k; j++)
        {
            combo[j] = combo[j - 1] + 1;
        }
        return true;
    }
}
