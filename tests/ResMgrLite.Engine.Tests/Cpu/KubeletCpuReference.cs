using ResMgrLite.Engine.Topology;

namespace ResMgrLite.Engine.Tests.Cpu;

/// <summary>
/// An independent, deliberately plain model of the kubelet's <c>takeByTopologyNUMAPacked</c> and
/// <c>takeByTopologyNUMADistributed</c> (docs/kubelet-rules.md §3.5 – §3.7) to property-test
/// <see cref="Engine.Cpu.CpuTaker"/> against. It shares no code with the engine: sets are
/// <see cref="SortedSet{T}"/>, orderings are LINQ, and the NUMA combinations are walked by a
/// recursive copy of Go's <c>iterateCombinations</c> over <see cref="GoIntSlice"/> headers, so the
/// kubelet's slice sharing happens here by itself instead of being emulated.
/// </summary>
/// <remarks>
/// Scope: regular machines (every core in one socket and NUMA node; ids unique machine-wide), no
/// uncore-cache preference. Where the kubelet would loop forever (§3.7) the model
/// throws <see cref="KubeletWouldHangException"/>: there is no kubelet answer to compare with.
/// </remarks>
internal sealed class KubeletCpuReference
{
    private readonly Dictionary<int, CpuInfo> _machine;
    private readonly int _numSockets, _numNumaNodes, _numCpus;

    /// <param name="cpus">The machine.</param>
    /// <param name="copyWinners">
    /// True models a naive port that keeps copies of the best combination ("first found wins
    /// ties"); false is the kubelet, which keeps the slice itself.
    /// </param>
    public KubeletCpuReference(IEnumerable<CpuInfo> cpus, bool copyWinners = false)
    {
        _machine = cpus.ToDictionary(c => c.Cpu);
        _numSockets = _machine.Values.Select(c => c.SocketId).Distinct().Count();
        _numNumaNodes = _machine.Values.Select(c => c.NumaNodeId).Distinct().Count();
        _numCpus = _machine.Count;
        CopyWinners = copyWinners;
    }

    public bool CopyWinners { get; }

    public sealed class KubeletWouldHangException() : Exception("the kubelet's remainder loop would not terminate");

    /// <summary>The answer: the CPUs, or the kubelet's error text.</summary>
    public readonly record struct Answer(SortedSet<int>? Cpus, string? Error)
    {
        public override string ToString() => Error ?? string.Join(",", Cpus!);
    }

    public Answer TakePacked(IEnumerable<int> available, int count, bool spread)
    {
        var acc = new Accumulator(this, available, count);
        if (acc.IsSatisfied)
        {
            return new Answer(acc.Result, null);
        }
        if (acc.IsFailed)
        {
            return NotEnough(count, acc.Free.Count);
        }
        if (acc.NumaFirst)
        {
            acc.TakeFullUnits(c => c.NumaNodeId, acc.SortedNuma());
            if (!acc.IsSatisfied)
            {
                acc.TakeFullUnits(c => c.SocketId, acc.SortedSockets());
            }
        }
        else
        {
            acc.TakeFullUnits(c => c.SocketId, acc.SortedSockets());
            if (!acc.IsSatisfied)
            {
                acc.TakeFullUnits(c => c.NumaNodeId, acc.SortedNuma());
            }
        }
        if (!acc.IsSatisfied && !spread)
        {
            acc.TakeFullUnits(c => c.CoreId, acc.SortedCores());
        }
        if (!acc.IsSatisfied)
        {
            foreach (int cpu in acc.SortedCpus(spread))
            {
                acc.Take([cpu]);
                if (acc.IsSatisfied)
                {
                    break;
                }
            }
        }
        return acc.IsSatisfied ? new Answer(acc.Result, null) : new Answer(null, "failed to allocate cpus");
    }

    public Answer TakeDistributed(IEnumerable<int> available, int count, int groupSize, bool spread)
    {
        if (count % groupSize != 0)
        {
            return TakePacked(available, count, spread);
        }
        var acc = new Accumulator(this, available, count);
        if (acc.IsSatisfied)
        {
            return new Answer(acc.Result, null);
        }
        if (acc.IsFailed)
        {
            return NotEnough(count, acc.Free.Count);
        }

        int[] numas = acc.SortedNuma().ToArray();
        int groups = (_numCpus - 1) / groupSize + 1;
        int groupsPerNuma = (groups - 1) / _numNumaNodes + 1;
        int groupsNeeded = (count - 1) / groupSize + 1;
        int minK = (groupsNeeded - 1) / groupsPerNuma + 1;
        int maxK = Math.Min(groupsNeeded, numas.Length);

        for (int k = minK; k <= maxK; k++)
        {
            double bestBalance = double.MaxValue;
            GoIntSlice? bestRemainder = null;
            GoIntSlice? bestCombo = null;
            IterateCombinations(numas, k, combo =>
            {
                if (bestBalance == 0)
                {
                    return false;
                }
                int[] nodes = combo.ToArray();
                if (nodes.Sum(acc.FreeInNuma) < count)
                {
                    return true;
                }
                if (nodes.Sum(n => acc.FreeInNuma(n) / groupSize) * groupSize < count)
                {
                    return true;
                }
                int distribution = count / nodes.Length / groupSize * groupSize;
                if (nodes.Any(n => acc.FreeInNuma(n) < distribution))
                {
                    return true;
                }
                var after = numas.ToDictionary(n => n, acc.FreeInNuma);
                foreach (int n in nodes)
                {
                    after[n] -= distribution;
                }
                int remainder = count - distribution * nodes.Length;
                int[] remainderCombo = nodes.Where(n => after[n] >= groupSize).ToArray();

                double bestLocalBalance = double.MaxValue;
                GoIntSlice? bestLocalRemainder = null;
                if (remainder == 0)
                {
                    bestLocalBalance = StandardDeviation(after.Values);
                }
                for (int size = remainderCombo.Length; remainder > 0 && size >= 1; size--)
                {
                    IterateCombinations(remainderCombo, size, subset =>
                    {
                        int[] members = subset.ToArray();
                        var local = new Dictionary<int, int>(after);
                        if (members.Sum(n => local[n]) < remainder)
                        {
                            return true;
                        }
                        HandOut(members, local, remainder, groupSize);
                        double balance = StandardDeviation(local.Values);
                        if (balance < bestLocalBalance)
                        {
                            bestLocalBalance = balance;
                            bestLocalRemainder = Keep(subset);
                        }
                        return true;
                    });
                }
                if (bestLocalBalance < bestBalance)
                {
                    bestBalance = bestLocalBalance;
                    bestRemainder = bestLocalRemainder;
                    bestCombo = Keep(combo);
                }
                return true;
            });

            if (bestCombo is not { } chosen)
            {
                continue;
            }
            int[] comboNodes = chosen.ToArray();
            int[] remainderNodes = bestRemainder?.ToArray() ?? [];
            int share = count / comboNodes.Length / groupSize * groupSize;
            foreach (int numa in comboNodes)
            {
                // The kubelet drops this error: a node that cannot give its share gives nothing.
                Answer part = TakePacked(acc.FreeOfNuma(numa), share, spread);
                if (part.Cpus != null)
                {
                    acc.Take(part.Cpus);
                }
            }
            int left = count - share * comboNodes.Length;
            while (left > 0)
            {
                bool progressed = false;
                foreach (int numa in remainderNodes)
                {
                    if (left == 0)
                    {
                        break;
                    }
                    if (acc.FreeInNuma(numa) < groupSize)
                    {
                        continue;
                    }
                    acc.Take(TakePacked(acc.FreeOfNuma(numa), groupSize, spread).Cpus!);
                    left -= groupSize;
                    progressed = true;
                }
                if (!progressed)
                {
                    throw new KubeletWouldHangException();
                }
            }
            if (acc.Needed > 0)
            {
                return new Answer(null, $"accounting error, not enough CPUs allocated, remaining: {acc.Needed}");
            }
            if (acc.Needed < 0)
            {
                return new Answer(null, $"accounting error, too many CPUs allocated, remaining: {acc.Needed}");
            }
            return new Answer(acc.Result, null);
        }
        return TakePacked(available, count, spread);
    }

    /// <summary>What <c>best = slice</c> keeps: the header itself (kubelet) or a private copy (naive port).</summary>
    private GoIntSlice Keep(GoIntSlice slice)
    {
        if (!CopyWinners)
        {
            return slice;
        }
        GoIntSlice copy = GoIntSlice.Empty;
        foreach (int value in slice.ToArray())
        {
            copy = copy.Append(value);
        }
        return copy;
    }

    /// <summary>
    /// Go's <c>iterateCombinations</c>: a recursive walk that builds each combination with
    /// <c>append(accum, n[i])</c> and hands the slice to <paramref name="visit"/>; false from
    /// <paramref name="visit"/> is <c>Break</c>.
    /// </summary>
    private static void IterateCombinations(int[] n, int k, Func<GoIntSlice, bool> visit)
    {
        if (k < 1)
        {
            return;
        }
        bool Helper(int remaining, int start, GoIntSlice accum)
        {
            if (remaining == 0)
            {
                return visit(accum);
            }
            for (int i = start; i <= n.Length - remaining; i++)
            {
                if (!Helper(remaining - 1, i + 1, accum.Append(n[i])))
                {
                    return false;
                }
            }
            return true;
        }
        Helper(k, 0, GoIntSlice.Empty);
    }

    private static void HandOut(int[] subset, Dictionary<int, int> after, int remainder, int groupSize)
    {
        while (remainder > 0)
        {
            bool progressed = false;
            foreach (int numa in subset)
            {
                if (remainder == 0)
                {
                    break;
                }
                if (after[numa] < groupSize)
                {
                    continue;
                }
                after[numa] -= groupSize;
                remainder -= groupSize;
                progressed = true;
            }
            if (!progressed)
            {
                throw new KubeletWouldHangException();
            }
        }
    }

    private static double StandardDeviation(IEnumerable<int> values)
    {
        int[] xs = values.ToArray();
        double mean = Math.Round(xs.Sum(x => (double)x) / xs.Length * 1000, MidpointRounding.AwayFromZero) / 1000;
        double squares = xs.Sum(x => (x - mean) * (x - mean));
        return Math.Round(Math.Sqrt(squares / xs.Length) * 1000, MidpointRounding.AwayFromZero) / 1000;
    }

    private static Answer NotEnough(int requested, int available) =>
        new(null, $"not enough cpus available to satisfy request: requested={requested}, available={available}");

    /// <summary>The kubelet's <c>cpuAccumulator</c> over plain collections.</summary>
    private sealed class Accumulator
    {
        private readonly KubeletCpuReference _owner;

        public Accumulator(KubeletCpuReference owner, IEnumerable<int> available, int needed)
        {
            _owner = owner;
            Free = new SortedSet<int>(available.Where(owner._machine.ContainsKey));
            Needed = needed;
        }

        public SortedSet<int> Free { get; }

        public SortedSet<int> Result { get; } = [];

        public int Needed { get; private set; }

        public bool IsSatisfied => Needed < 1;

        public bool IsFailed => Needed > Free.Count;

        public bool NumaFirst => _owner._numSockets >= _owner._numNumaNodes;

        public void Take(IEnumerable<int> cpus)
        {
            foreach (int cpu in cpus)
            {
                Result.Add(cpu);
                Free.Remove(cpu);
                Needed--;
            }
        }

        private IEnumerable<CpuInfo> FreeInfos => Free.Select(c => _owner._machine[c]);

        public int FreeInNuma(int numa) => FreeInfos.Count(c => c.NumaNodeId == numa);

        public SortedSet<int> FreeOfNuma(int numa) => new(FreeInfos.Where(c => c.NumaNodeId == numa).Select(c => c.Cpu));

        /// <summary>Ascending by free CPUs inside, ties by id, over the units of <paramref name="infos"/>.</summary>
        private IEnumerable<int> BaseSort(IEnumerable<CpuInfo> infos, Func<CpuInfo, int> unit) =>
            infos.GroupBy(unit).OrderBy(g => g.Count()).ThenBy(g => g.Key).Select(g => g.Key);

        public List<int> SortedNuma() => NumaFirst
            ? BaseSort(FreeInfos, c => c.NumaNodeId).ToList()
            : SortedSockets().SelectMany(s => BaseSort(FreeInfos.Where(c => c.SocketId == s), c => c.NumaNodeId)).ToList();

        public List<int> SortedSockets() => NumaFirst
            ? SortedNuma().SelectMany(n => BaseSort(FreeInfos.Where(c => c.NumaNodeId == n), c => c.SocketId)).ToList()
            : BaseSort(FreeInfos, c => c.SocketId).ToList();

        public List<int> SortedCores() => NumaFirst
            ? SortedSockets().SelectMany(s => BaseSort(FreeInfos.Where(c => c.SocketId == s), c => c.CoreId)).ToList()
            : SortedNuma().SelectMany(n => BaseSort(FreeInfos.Where(c => c.NumaNodeId == n), c => c.CoreId)).ToList();

        public List<int> SortedCpus(bool spread) => spread
            ? SortedSockets().SelectMany(s => FreeInfos.Where(c => c.SocketId == s).Select(c => c.Cpu)).ToList()
            : SortedCores().SelectMany(k => FreeInfos.Where(c => c.CoreId == k).Select(c => c.Cpu)).ToList();

        /// <summary>Takes every wholly free unit (in <paramref name="order"/>) whose size still fits the need.</summary>
        public void TakeFullUnits(Func<CpuInfo, int> unit, List<int> order)
        {
            var free = order.Where(u => FreeInfos.Count(c => unit(c) == u) == _owner._machine.Values.Count(c => unit(c) == u)).ToList();
            foreach (int u in free)
            {
                int[] cpus = _owner._machine.Values.Where(c => unit(c) == u).Select(c => c.Cpu).ToArray();
                if (Needed >= cpus.Length)
                {
                    Take(cpus);
                }
            }
        }
    }
}
