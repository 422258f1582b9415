using System.Numerics;

namespace ResMgrLite.Engine.Cpu;

/// <summary>How CPUs are ordered for the single-CPU step (docs/kubelet-rules.md §3.4, §3.5).</summary>
internal enum CpuSortingStrategy
{
    /// <summary>Fill cores (default).</summary>
    Packed,

    /// <summary>distribute-cpus-across-cores: by CPU id within each socket; no whole-core step.</summary>
    Spread,
}

/// <summary>Options that steer <see cref="CpuTaker.TryTake"/> (the §3.4 dispatcher).</summary>
internal readonly record struct TakeOptions(
    CpuSortingStrategy Strategy = CpuSortingStrategy.Packed,
    bool DistributeAcrossNuma = false,
    int DistributeGroupSize = 1,
    bool PreferAlignByUncoreCache = false);

/// <summary>
/// The kubelet's <c>takeByTopology</c>: picks <c>n</c> CPUs out of an available set, topology-aware
/// (docs/kubelet-rules.md §3.4 – §3.7). One instance per topology; not thread-safe; allocates
/// nothing on success (the buffers are preallocated), only the error text on failure.
/// </summary>
internal sealed class CpuTaker
{
    private readonly CpuTopology _topology;
    private readonly CpuAccumulator _packed;   // used by the packed algorithm (also nested in distributed)
    private readonly CpuAccumulator _outer;    // state of the distributed algorithm

    // Distributed-algorithm scratch, indexed by position in the NUMA list.
    private readonly int[] _numas;
    private readonly int[] _freeOf;
    private readonly int[] _after, _afterCopy;
    private readonly int[] _combo, _bestCombo;
    private readonly int[] _remainderCandidates, _subset, _bestLocalRemainder, _bestRemainder;

    public CpuTaker(CpuTopology topology)
    {
        _topology = topology;
        _packed = new CpuAccumulator(topology);
        _outer = new CpuAccumulator(topology);
        int n = topology.NumNumaNodes;
        _numas = new int[n];
        _freeOf = new int[n];
        _after = new int[n];
        _afterCopy = new int[n];
        _combo = new int[n];
        _bestCombo = new int[n];
        _remainderCandidates = new int[n];
        _subset = new int[n];
        _bestLocalRemainder = new int[n];
        _bestRemainder = new int[n];
    }

    public CpuTopology Topology => _topology;

    /// <summary>The §3.4 dispatcher: distributed across NUMA nodes when asked, else NUMA-packed.</summary>
    public bool TryTake(in CpuSet available, int count, TakeOptions options, out CpuSet result, out string? error)
    {
        if (options.DistributeAcrossNuma)
        {
            return TryTakeDistributed(available, count, Math.Max(1, options.DistributeGroupSize), options.Strategy, out result, out error);
        }
        return TryTakePacked(available, count, options.Strategy, options.PreferAlignByUncoreCache, out result, out error);
    }

    /// <summary><c>takeByTopologyNUMAPacked</c> (§3.6).</summary>
    public bool TryTakePacked(in CpuSet available, int count, CpuSortingStrategy strategy, bool preferAlignByUncoreCache, out CpuSet result, out string? error)
    {
        CpuAccumulator acc = _packed;
        acc.Reset(available, count);
        result = default;
        error = null;
        if (acc.IsSatisfied)
        {
            return true;
        }
        if (acc.IsFailed)
        {
            error = NotEnough(count, available.Intersect(_topology.AllCpus).Count);
            return false;
        }
        acc.TakeFullFirstLevel();
        if (acc.IsSatisfied)
        {
            result = acc.Result;
            return true;
        }
        acc.TakeFullSecondLevel();
        if (acc.IsSatisfied)
        {
            result = acc.Result;
            return true;
        }
        if (preferAlignByUncoreCache)
        {
            acc.TakeUncoreCaches();
            if (acc.IsSatisfied)
            {
                result = acc.Result;
                return true;
            }
        }
        if (strategy != CpuSortingStrategy.Spread)
        {
            acc.TakeFullCores();
            if (acc.IsSatisfied)
            {
                result = acc.Result;
                return true;
            }
        }
        acc.TakeRemainingCpus(strategy);
        if (acc.IsSatisfied)
        {
            result = acc.Result;
            return true;
        }
        error = "failed to allocate cpus";
        return false;
    }

    /// <summary><c>takeByTopologyNUMADistributed</c> (KEP-2902, §3.7).</summary>
    /// <remarks>
    /// <para>
    /// Ties between equally balanced NUMA combinations are not "first found wins" here, because they
    /// are not in the kubelet. Its <c>iterateCombinations</c> builds every combination with Go's
    /// <c>append</c> on one growing slice and hands that slice to the scoring callback, which keeps
    /// the winner as <c>bestCombo = combo</c> (and the remainder subset as
    /// <c>bestLocalRemainder = subset</c>): a slice header, not a copy. Combinations that start
    /// with the same first <see cref="GoAppendSharedFrom"/>(k) elements share one backing array,
    /// so every combination built later under the winner's prefix overwrites the winner's tail —
    /// up to and including the one the loop builds and then breaks on after a zero balance. The
    /// kubelet allocates from whatever the slice holds when the walk ends. For k ≤ 3 and k = 5
    /// nothing is shared; with 6 NUMA nodes and k = 4, a winner {n1,n2,n3,n4} is allocated as
    /// {n1,n2,n3,n6}.
    /// </para>
    /// <para>
    /// This looks like a bug to copy, and in Go it is one; it is emulated on purpose, because the
    /// goal is the same CPUs the kubelet would pick (docs/kubelet-rules.md §3.7). The remainder
    /// still goes to the subset chosen for the true winner, and a node of the reported combination
    /// that cannot give its even share gives nothing (the kubelet ignores that error), so the
    /// request then ends in the accounting error, as in the kubelet.
    /// </para>
    /// </remarks>
    public bool TryTakeDistributed(in CpuSet available, int count, int groupSize, CpuSortingStrategy strategy, out CpuSet result, out string? error)
    {
        result = default;
        error = null;
        if (count % groupSize != 0)
        {
            return TryTakePacked(available, count, strategy, preferAlignByUncoreCache: false, out result, out error);
        }

        CpuAccumulator acc = _outer;
        acc.Reset(available, count);
        if (acc.IsSatisfied)
        {
            return true;
        }
        if (acc.IsFailed)
        {
            error = NotEnough(count, available.Intersect(_topology.AllCpus).Count);
            return false;
        }

        // NUMA nodes with free CPUs, in accumulator order; balance scores cover only these (§3.7).
        ReadOnlySpan<int> sorted = acc.SortedNumaNodes();
        int numaCount = sorted.Length;
        sorted.CopyTo(_numas);
        for (int i = 0; i < numaCount; i++)
        {
            _freeOf[i] = acc.FreeInNuma(_numas[i]);
        }

        // Range of NUMA counts worth trying (integer ceilings as in the kubelet).
        int machineGroups = (_topology.NumCpus - 1) / groupSize + 1;
        int groupsPerNuma = (machineGroups - 1) / _topology.NumNumaNodes + 1;
        int groupsNeeded = (count - 1) / groupSize + 1;
        int minK = (groupsNeeded - 1) / groupsPerNuma + 1;
        int maxK = Math.Min(groupsNeeded, numaCount);

        for (int k = minK; k <= maxK; k++)
        {
            double bestBalance = double.MaxValue;
            int bestRemainderCount = 0;
            bool found = false;
            int sharedFrom = GoAppendSharedFrom(k);

            // Lexicographic k-combinations of positions 0..numaCount-1.
            Span<int> combo = _combo.AsSpan(0, k);
            for (int i = 0; i < k; i++)
            {
                combo[i] = i;
            }
            do
            {
                // The kubelet has built this combination before it looks at it, so the write into
                // the stored winner's shared tail happens even for the one it then breaks on.
                if (found)
                {
                    OverwriteSharedTail(combo, _bestCombo.AsSpan(0, k), sharedFrom);
                }
                if (bestBalance == 0)
                {
                    break;
                }
                if (!TryScoreCombo(combo, numaCount, count, groupSize, out double balance, out int remainderCount))
                {
                    continue;
                }
                if (balance < bestBalance)
                {
                    bestBalance = balance;
                    combo.CopyTo(_bestCombo);
                    _bestLocalRemainder.AsSpan(0, remainderCount).CopyTo(_bestRemainder);
                    bestRemainderCount = remainderCount;
                    found = true;
                }
            }
            while (NextCombination(combo, numaCount));

            if (!found)
            {
                continue;
            }

            // Even share from every NUMA node of the winning combination (as the kubelet's slice
            // reads now, see the remarks). A node that cannot give its share gives nothing: the
            // kubelet drops that error and lets the accounting check below report the shortfall.
            int distribution = count / k / groupSize * groupSize;
            for (int i = 0; i < k; i++)
            {
                int numa = _numas[_bestCombo[i]];
                CpuSet numaFree = acc.Free.Intersect(_topology.NumaNodes.CpusOf(numa));
                if (TryTakePacked(numaFree, distribution, strategy, preferAlignByUncoreCache: false, out CpuSet part, out _))
                {
                    acc.Take(part);
                }
            }

            // Then the remainder, groupSize at a time, round-robin over the winning remainder subset.
            int remainder = count - distribution * k;
            while (remainder > 0)
            {
                bool progressed = false;
                for (int i = 0; i < bestRemainderCount && remainder > 0; i++)
                {
                    int numa = _numas[_bestRemainder[i]];
                    CpuSet numaFree = acc.Free.Intersect(_topology.NumaNodes.CpusOf(numa));
                    if (numaFree.Count < groupSize)
                    {
                        continue;
                    }
                    if (!TryTakePacked(numaFree, groupSize, strategy, preferAlignByUncoreCache: false, out CpuSet part, out error))
                    {
                        return false;
                    }
                    acc.Take(part);
                    remainder -= groupSize;
                    progressed = true;
                }
                if (!progressed)
                {
                    break;
                }
            }

            if (acc.Needed != 0)
            {
                error = acc.Needed > 0
                    ? $"accounting error, not enough CPUs allocated, remaining: {acc.Needed}"
                    : $"accounting error, too many CPUs allocated, remaining: {acc.Needed}";
                return false;
            }
            result = acc.Result;
            return true;
        }

        // No NUMA combination could take an even distribution: fall back to packing.
        return TryTakePacked(available, count, strategy, preferAlignByUncoreCache: false, out result, out error);
    }

    /// <summary>
    /// Scores one NUMA combination (positions into <see cref="_numas"/>): false when it cannot hold
    /// the request; otherwise the balance and, in <see cref="_bestLocalRemainder"/>, the best
    /// remainder subset.
    /// </summary>
    private bool TryScoreCombo(ReadOnlySpan<int> combo, int numaCount, int count, int groupSize, out double balance, out int remainderCount)
    {
        balance = double.MaxValue;
        remainderCount = 0;
        int k = combo.Length;

        int freeInCombo = 0, groupsInCombo = 0;
        foreach (int position in combo)
        {
            freeInCombo += _freeOf[position];
            groupsInCombo += _freeOf[position] / groupSize;
        }
        if (freeInCombo < count || groupsInCombo * groupSize < count)
        {
            return false;
        }
        int distribution = count / k / groupSize * groupSize;
        foreach (int position in combo)
        {
            if (_freeOf[position] < distribution)
            {
                return false;
            }
        }

        Span<int> after = _after.AsSpan(0, numaCount);
        _freeOf.AsSpan(0, numaCount).CopyTo(after);
        foreach (int position in combo)
        {
            after[position] -= distribution;
        }

        int remainder = count - distribution * k;
        if (remainder == 0)
        {
            balance = StandardDeviation(after);
            return true;
        }

        int candidates = 0;
        foreach (int position in combo)
        {
            if (after[position] >= groupSize)
            {
                _remainderCandidates[candidates++] = position;
            }
        }

        double bestLocal = double.MaxValue;
        Span<int> afterCopy = _afterCopy.AsSpan(0, numaCount);
        for (int size = candidates; size >= 1; size--)
        {
            Span<int> subsetIndices = _subset.AsSpan(0, size);
            for (int i = 0; i < size; i++)
            {
                subsetIndices[i] = i;
            }
            do
            {
                // Same slice sharing as for the NUMA combination (remarks on TryTakeDistributed): only
                // subsets of the stored winner's size come from the same walk and share its array.
                if (remainderCount == size)
                {
                    OverwriteSharedTail(subsetIndices, _bestLocalRemainder.AsSpan(0, size), GoAppendSharedFrom(size));
                }
                int sum = 0;
                foreach (int i in subsetIndices)
                {
                    sum += after[_remainderCandidates[i]];
                }
                if (sum < remainder)
                {
                    continue;
                }
                after.CopyTo(afterCopy);
                if (!HandOutRemainder(subsetIndices, afterCopy, remainder, groupSize))
                {
                    // The kubelet would loop forever here (§3.7): not viable.
                    continue;
                }
                double score = StandardDeviation(afterCopy);
                if (score < bestLocal)
                {
                    bestLocal = score;
                    subsetIndices.CopyTo(_bestLocalRemainder);
                    remainderCount = size;
                }
            }
            while (NextCombination(subsetIndices, candidates));
        }

        // The winner was kept as indices into the candidates (so the shared tail compares like
        // the kubelet's slice); hand it out as positions in the NUMA list.
        for (int i = 0; i < remainderCount; i++)
        {
            _bestLocalRemainder[i] = _remainderCandidates[_bestLocalRemainder[i]];
        }
        balance = bestLocal;
        return bestLocal < double.MaxValue;
    }

    private bool HandOutRemainder(ReadOnlySpan<int> subsetIndices, Span<int> after, int remainder, int groupSize)
    {
        while (remainder > 0)
        {
            bool progressed = false;
            foreach (int i in subsetIndices)
            {
                if (remainder == 0)
                {
                    break;
                }
                int position = _remainderCandidates[i];
                if (after[position] < groupSize)
                {
                    continue;
                }
                after[position] -= groupSize;
                remainder -= groupSize;
                progressed = true;
            }
            if (!progressed)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// The first position of a k-long combination that the kubelet's <c>iterateCombinations</c>
    /// shares with its siblings: the length at which Go's <c>append</c> last moved the slice to a
    /// new backing array. Growing one element at a time from an empty <c>[]int</c>, capacities
    /// go 1, 2, 4, 8, 16, ..., so a new array is made when the length reaches 1, 2, 3, 5, 9, 17, ...
    /// (1, then one more than each power of two); every position from there to k−1 is written
    /// again by each later combination that starts with the same elements.
    /// </summary>
    internal static int GoAppendSharedFrom(int k) =>
        k <= 1 ? k : (1 << BitOperations.Log2((uint)(k - 1))) + 1;

    /// <summary>
    /// What building <paramref name="built"/> does to the stored winner <paramref name="stored"/> in
    /// the kubelet: when both hang off the same backing array (same first
    /// <paramref name="sharedFrom"/> elements), the shared positions now hold the new values.
    /// </summary>
    private static void OverwriteSharedTail(ReadOnlySpan<int> built, Span<int> stored, int sharedFrom)
    {
        if (sharedFrom < built.Length && built[..sharedFrom].SequenceEqual(stored[..sharedFrom]))
        {
            built[sharedFrom..].CopyTo(stored[sharedFrom..]);
        }
    }

    /// <summary>Advances a lexicographic k-combination of 0..n-1; false after the last one.</summary>
    internal static bool NextCombination(Span<int> combo, int n) => Combinations.Next(combo, n);

    /// <summary>Population mean rounded to 3 decimals, half away from zero like Go's math.Round (§3.7).</summary>
    private static double Mean(ReadOnlySpan<int> values)
    {
        double sum = 0;
        foreach (int v in values)
        {
            sum += v;
        }
        return Math.Round(sum / values.Length * 1000, MidpointRounding.AwayFromZero) / 1000;
    }

    /// <summary>Population standard deviation around the rounded mean, rounded to 3 decimals (§3.7).</summary>
    private static double StandardDeviation(ReadOnlySpan<int> values)
    {
        double mean = Mean(values);
        double sum = 0;
        foreach (int v in values)
        {
            sum += (v - mean) * (v - mean);
        }
        return Math.Round(Math.Sqrt(sum / values.Length) * 1000, MidpointRounding.AwayFromZero) / 1000;
    }

    private static string NotEnough(int requested, int available) =>
        $"not enough cpus available to satisfy request: requested={requested}, available={available}";
}
