namespace ResMgrLite.Engine.TopologyManagement;

/// <summary>
/// The Topology Manager's hint merge and admission decision (docs/kubelet-rules.md §2.2, §2.3,
/// §11 rule 2). Pure and allocation-free: the cross product is walked with an odometer over the
/// provider lists, and single-numa-node filtering writes into preallocated lists.
/// </summary>
internal sealed class HintMerger
{
    private readonly TopologyManagerOptions _options;
    private readonly NumaDistances _numa;
    private readonly ulong _allNodes;
    private readonly HintList[] _filtered;
    private readonly int[] _odometer;
    private readonly HintList?[] _lists;

    public const int MaxProviderLists = 8;

    public HintMerger(TopologyManagerOptions options, NumaDistances numa)
    {
        _options = options;
        _numa = numa;
        _allNodes = numa.AllNodesMask;
        int capacity = NumaMask.MaskCount(Math.Min(numa.NodeCount, 16)) + 1;
        _filtered = new HintList[MaxProviderLists];
        for (int i = 0; i < _filtered.Length; i++)
        {
            _filtered[i] = new HintList(capacity, "filtered");
        }
        _odometer = new int[MaxProviderLists];
        _lists = new HintList?[MaxProviderLists];
    }

    public TopologyManagerOptions Options => _options;

    /// <summary>
    /// Merges the providers' lists and decides admission. With policy <c>none</c> no merge happens
    /// and the result is {any, not preferred}, always admitted.
    /// </summary>
    public bool TryAdmit(ReadOnlySpan<HintList> providerLists, out TopologyHint best)
    {
        switch (_options.Policy)
        {
            case TopologyPolicy.None:
                best = new TopologyHint(0, false);
                return true;
            case TopologyPolicy.BestEffort:
                best = Merge(providerLists);
                return true;
            case TopologyPolicy.Restricted:
                best = Merge(providerLists);
                return best.Preferred;
            case TopologyPolicy.SingleNumaNode:
                best = Merge(FilterSingleNuma(providerLists));
                if (best.Mask == _allNodes)
                {
                    // The kubelet replaces an all-nodes result by nil; Preferred is kept.
                    best = best with { Mask = 0 };
                }
                return best.Preferred;
            default:
                throw new InvalidOperationException($"unknown topology policy {_options.Policy}");
        }
    }

    /// <summary>single-numa-node pre-filter: keep {any, preferred} and preferred single-node hints.</summary>
    private ReadOnlySpan<HintList> FilterSingleNuma(ReadOnlySpan<HintList> providerLists)
    {
        for (int i = 0; i < providerLists.Length; i++)
        {
            HintList source = providerLists[i];
            HintList target = _filtered[i];
            if (source.NoPreference)
            {
                target.SetNoPreference();
                continue;
            }
            target.StartList();
            foreach (TopologyHint hint in source.Hints)
            {
                if (hint.Preferred && (hint.Mask == 0 || NumaMask.Count(hint.Mask) == 1))
                {
                    target.Add(hint);
                }
            }
        }
        return _filtered.AsSpan(0, providerLists.Length);
    }

    /// <summary>The general merge (§2.3).</summary>
    public TopologyHint Merge(ReadOnlySpan<HintList> providerLists)
    {
        if (providerLists.Length > MaxProviderLists)
        {
            throw new ArgumentException($"at most {MaxProviderLists} hint lists can be merged", nameof(providerLists));
        }
        int listCount = providerLists.Length;
        int bestNonPreferredCount = 0;
        for (int i = 0; i < listCount; i++)
        {
            int narrowest = NarrowestCount(providerLists[i]);
            bestNonPreferredCount = Math.Max(bestNonPreferredCount, narrowest);
        }

        // Odometer over the cross product; a nil list or an empty list counts as one synthetic hint.
        Span<int> digits = _odometer.AsSpan(0, listCount);
        digits.Clear();
        bool haveBest = false;
        TopologyHint best = default;
        while (true)
        {
            ulong merged = _allNodes;
            bool preferred = true;
            ulong firstMask = 0;
            bool masksIdentical = true;
            for (int i = 0; i < listCount; i++)
            {
                TopologyHint hint = HintAt(providerLists[i], digits[i]);
                if (hint.Mask != 0)
                {
                    merged &= hint.Mask;
                    if (firstMask == 0)
                    {
                        firstMask = hint.Mask;
                    }
                    else if (firstMask != hint.Mask)
                    {
                        masksIdentical = false;
                    }
                }
                preferred &= hint.Preferred;
            }
            var candidate = new TopologyHint(merged, preferred && masksIdentical);
            if (Compare(haveBest, best, candidate, bestNonPreferredCount))
            {
                best = candidate;
                haveBest = true;
            }

            // Advance the odometer (last list fastest, like nested loops over the lists in order).
            int position = listCount - 1;
            while (position >= 0)
            {
                digits[position]++;
                if (digits[position] < EffectiveCount(providerLists[position]))
                {
                    break;
                }
                digits[position] = 0;
                position--;
            }
            if (position < 0)
            {
                break;
            }
        }
        return haveBest ? best : new TopologyHint(_allNodes, false);
    }

    private static int EffectiveCount(HintList list) => list.NoPreference || list.Count == 0 ? 1 : list.Count;

    private static TopologyHint HintAt(HintList list, int index)
    {
        if (list.NoPreference)
        {
            return new TopologyHint(0, true);
        }
        if (list.Count == 0)
        {
            return new TopologyHint(0, false);
        }
        return list.Hints[index];
    }

    private static int NarrowestCount(HintList list)
    {
        if (list.NoPreference)
        {
            return 0;
        }
        ulong narrowest = 0;
        foreach (TopologyHint hint in list.Hints)
        {
            if (hint.Mask == 0)
            {
                continue;
            }
            if (narrowest == 0 || NumaMask.IsNarrowerThan(hint.Mask, narrowest))
            {
                narrowest = hint.Mask;
            }
        }
        return narrowest == 0 ? 0 : NumaMask.Count(narrowest);
    }

    /// <summary>True when <paramref name="candidate"/> replaces the current best (§2.3 step 4).</summary>
    private bool Compare(bool haveCurrent, TopologyHint current, TopologyHint candidate, int bestNonPreferredCount)
    {
        if (candidate.Mask == 0)
        {
            return false;
        }
        if (!haveCurrent)
        {
            return true;
        }
        if (!current.Preferred && candidate.Preferred)
        {
            return true;
        }
        if (current.Preferred && !candidate.Preferred)
        {
            return false;
        }
        if (current.Preferred && candidate.Preferred)
        {
            return MaskCompareTakesCandidate(current.Mask, candidate.Mask);
        }

        // Both non-preferred: gravitate towards the best non-preferred width.
        int b = bestNonPreferredCount, c = current.NodeCount, k = candidate.NodeCount;
        if (c > b)
        {
            return MaskCompareTakesCandidate(current.Mask, candidate.Mask);
        }
        if (c == b)
        {
            return k == b && MaskCompareTakesCandidate(current.Mask, candidate.Mask);
        }
        if (k > b)
        {
            return false;
        }
        if (k == b)
        {
            return true;
        }
        if (k > c)
        {
            return true;
        }
        if (k < c)
        {
            return false;
        }
        return MaskCompareTakesCandidate(current.Mask, candidate.Mask);
    }

    private bool MaskCompareTakesCandidate(ulong current, ulong candidate)
    {
        if (current == candidate)
        {
            return false;
        }
        bool useClosest = _options.Policy != TopologyPolicy.SingleNumaNode && _options.PreferClosestNumaNodes;
        ulong winner = useClosest ? Closest(current, candidate) : Narrowest(current, candidate);
        return winner != current;
    }

    private static ulong Narrowest(ulong a, ulong b) => NumaMask.IsNarrowerThan(a, b) ? a : b;

    /// <summary>Equal widths: smaller average distance over all ordered node pairs (self pairs included).</summary>
    private ulong Closest(ulong a, ulong b)
    {
        if (NumaMask.Count(a) != NumaMask.Count(b))
        {
            return Narrowest(a, b);
        }
        double da = AverageDistance(a), db = AverageDistance(b);
        if (da != db)
        {
            return da < db ? a : b;
        }
        return a < b ? a : b;
    }

    private double AverageDistance(ulong mask)
    {
        long sum = 0;
        int pairs = 0;
        for (int i = 0; i < 64; i++)
        {
            if ((mask & (1UL << i)) == 0)
            {
                continue;
            }
            for (int j = 0; j < 64; j++)
            {
                if ((mask & (1UL << j)) == 0)
                {
                    continue;
                }
                sum += _numa.Distance(i, j);
                pairs++;
            }
        }
        return pairs == 0 ? 0 : (double)sum / pairs;
    }
}
