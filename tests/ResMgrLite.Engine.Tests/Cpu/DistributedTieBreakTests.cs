using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Topology;
using ResMgrLite.TestSupport;
using Xunit.Abstractions;

namespace ResMgrLite.Engine.Tests.Cpu;

/// <summary>
/// distribute-cpus-across-numa on ties: the kubelet keeps its best NUMA combination as a Go slice
/// that later combinations overwrite (docs/kubelet-rules.md §3.7). The expected answers below were
/// worked out by hand from the Go loop; each names what a naive "first found wins" port answers,
/// and the reference model must give both.
/// </summary>
public sealed class DistributedTieBreakTests(ITestOutputHelper output)
{
    /// <summary>8 sockets, one NUMA node each, 4 single-thread cores per node: NUMA i = CPUs 4i..4i+3.</summary>
    private static CpuInfo[] EightNumaNoHT() => Machine(32, c => new CpuInfo(c, c, c / 4, c / 4, 0));

    /// <summary>6 sockets = 6 NUMA nodes of 2 cores × 2 threads; NUMA i = {2i, 2i+1, 2i+12, 2i+13}.</summary>
    private static CpuInfo[] SixNumaHT() => Machine(24, c => new CpuInfo(c, c % 12, c % 12 / 2, c % 12 / 2, 0));

    /// <summary>
    /// 4 sockets × 2 NUMA nodes (sockets-first) of 3 cores × 2 threads;
    /// NUMA i = {3i..3i+2, 3i+24..3i+26}, socket = NUMA / 2.
    /// </summary>
    private static CpuInfo[] FourSocketsEightNumaHT() => Machine(48, c => new CpuInfo(c, c % 24, c % 24 / 6, c % 24 / 3, 0));

    /// <summary>Sockets 0-3 hold NUMA 0-3, socket 4 holds NUMA 4-9 (sockets-first); 8 single-thread CPUs per node.</summary>
    private static CpuInfo[] FiveSocketsTenNuma() => Machine(80, c => new CpuInfo(c, c, Math.Min(c / 8, 4), c / 8, 0));

    /// <summary>Socket 0 holds NUMA 0, socket 1 holds NUMA 1-5 (sockets-first); 8 single-thread CPUs per node.</summary>
    private static CpuInfo[] TwoSocketsSixNuma() => Machine(48, c => new CpuInfo(c, c, c < 8 ? 0 : 1, c / 8, 0));

    private static CpuInfo[] Machine(int count, Func<int, CpuInfo> cpu) => Enumerable.Range(0, count).Select(cpu).ToArray();

    public static TheoryData<string, string, int, int, string, string> HandWorkedCases()
    {
        var cases = new TheoryData<string, string, int, int, string, string>
        {
            // minK = 4, every 4-node combination leaves {0,0,0,0,4,4,4,4} (stddev 2): all tie, the
            // first, NUMA {0,1,2,3}, wins; the 3-node prefix {0,1,2} owns one array whose 4th slot
            // the later {0,1,2,4} … {0,1,2,7} overwrite, so the kubelet takes NUMA 0,1,2,7.
            { "8 NUMA, whole nodes tie", "0-31", 16, 1, "0-11,28-31", "0-15" },
            // CPU 12 busy: NUMA 3 (3 free) sorts first and every combination with it fails the even
            // share of 4. First valid: positions {1,2,3,4} = NUMA {0,1,2,4}; the last combination
            // built under positions {1,2,3} is {1,2,3,7} = NUMA {0,1,2,7}. Invalid combinations are
            // built too, so the rule does not care whether a combination scores.
            { "8 NUMA, a partly used node sorts first", "0-11,13-31", 16, 1, "0-11,28-31", "0-11,16-19" },
            // Odd request: share 3, remainder 3. Winner NUMA {0,1,2,3} (remainder subset {0,1,2,3},
            // which hands one CPU each to its first three); allocated as NUMA {0,1,2,7} for the
            // shares (3 whole cores each: 0-2, 4-6, 8-10, 28-30) and NUMA 0,1,2 for the remainder
            // (3, 7, 11), because the remainder subset is the true winner's.
            { "8 NUMA, odd request, remainder stays with the true winner", "0-31", 15, 1, "0-11,28-30", "0-14" },
            // minK = 5 and a 5-long combination is copied into a fresh array: nothing shared,
            // both answers agree.
            { "8 NUMA, k = 5 shares nothing", "0-31", 17, 1, "0-10,12-14,16-18", "0-10,12-14,16-18" },
        };
        return cases;
    }

    [Theory]
    [MemberData(nameof(HandWorkedCases))]
    public void Eight_numa_node_ties_follow_the_kubelets_slice(string name, string available, int count, int groupSize, string kubelet, string naive) =>
        AssertCase(name, EightNumaNoHT(), available, count, groupSize, kubelet, naive);

    [Fact]
    public void Whole_core_groups_on_six_numa_nodes_follow_the_kubelets_slice() =>
        // g = 2, n = 16: minK = 4, share 4 = a whole node; every combination leaves
        // {0,0,0,0,4,4} (stddev 1.886). Winner NUMA {0,1,2,3}, allocated as {0,1,2,5}.
        AssertCase("6 NUMA, g = 2", SixNumaHT(), "0-23", 16, 2, "0-5,10-17,22-23", "0-7,12-19");

    [Fact]
    public void Sockets_first_machine_spreads_over_three_sockets_like_the_kubelet() =>
        // Sockets-first, all free: NUMA order 0..7. n = 24, g = 2: minK = 4, share 6 = a whole
        // node, all tie at stddev 3. Winner NUMA {0,1,2,3} (sockets 0 and 1) is allocated as
        // NUMA {0,1,2,7}: sockets 0, 1 and 3.
        AssertCase("4 sockets × 2 NUMA", FourSocketsEightNumaHT(), "0-47", 24, 2, "0-8,21-32,45-47", "0-11,24-35");

    [Fact]
    public void Breaking_after_a_perfect_balance_still_overwrites_the_winner() =>
        // NUMA 0-3 have 5 free CPUs each (sockets 0-3, total 5), NUMA 4-9 one each (socket 4,
        // total 6): NUMA order 0..9. n = 16: k = 2 and 3 find no combination; at k = 4 only NUMA
        // {0,1,2,3} can give 4 each, leaving 1 free everywhere: balance 0. The kubelet then builds
        // {0,1,2,4}, sees the 0 and breaks — but building it already wrote NUMA 4 into the
        // winner's last slot. NUMA 4 cannot give 4 CPUs; that error is dropped, 12 CPUs are taken,
        // and the request ends in the accounting error.
        AssertCase("break after balance 0", FiveSocketsTenNuma(), "0-4,8-12,16-20,24-28,32,40,48,56,64,72", 16, 1,
            "accounting error, not enough CPUs allocated, remaining: 4", "0-3,8-11,16-19,24-27");

    [Fact]
    public void The_remainder_subset_is_overwritten_the_same_way() =>
        // Free per NUMA: 0:6 (socket 0 alone, sorts first), 1:3, 2-5:4 (socket 1). n = 23: k = 3,
        // 4, 5 find no combination; k = 6 takes 3 from each node and leaves 5 for the remainder
        // over candidates NUMA {0,2,3,4,5} (after 3,1,1,1,1). All five: stddev 0.745. Size 4 with
        // NUMA 0 (2 each round-robin to NUMA 0, 1 to the others): 0.471, first found {0,2,3,4};
        // its 4th slot is shared with {0,2,3,5}, built later, so NUMA 5 gets NUMA 4's CPU.
        AssertCase("remainder subset", TwoSocketsSixNuma(), "0-5,8-10,16-19,24-27,32-35,40-43", 23, 1,
            "0-4,8-10,16-19,24-27,32-34,40-43", "0-4,8-10,16-19,24-27,32-35,40-42");

    [Fact]
    public void Four_numa_nodes_have_no_alternative_to_overwrite_with() =>
        // The spec's MultiNuma machine: at k = 4 there is a single combination, so nothing can
        // overwrite it (§9.4 case 33 answer).
        AssertCase("4 NUMA", KubeletFixtures.DualSocketMultiNumaPerSocketHT.Cpus.ToArray(), "0-79", 64, 1,
            "0-7,10-17,20-27,30-37,40-47,50-57,60-67,70-77", "0-7,10-17,20-27,30-37,40-47,50-57,60-67,70-77");

    private static void AssertCase(string name, CpuInfo[] machine, string available, int count, int groupSize, string kubelet, string naive)
    {
        var taker = new CpuTaker(CpuTopology.Create(machine));
        CpuSet availableSet = CpuSet.Parse(available);
        string actual = taker.TryTakeDistributed(availableSet, count, groupSize, CpuSortingStrategy.Packed, out CpuSet result, out string? error)
            ? result.ToString()
            : error!;
        Assert.True(kubelet == actual, $"{name}: expected {kubelet}, got {actual}");

        int[] availableCpus = ToArray(availableSet);
        Assert.Equal(kubelet, Canonical(new KubeletCpuReference(machine).TakeDistributed(availableCpus, count, groupSize, spread: false)));
        Assert.Equal(naive, Canonical(new KubeletCpuReference(machine, copyWinners: true).TakeDistributed(availableCpus, count, groupSize, spread: false)));
    }

    [Fact]
    public void Shared_positions_match_gos_append_growth()
    {
        // Build a slice one append at a time, as iterateCombinations does, and find the length at
        // which the backing array last changed: from there on, positions are shared with siblings.
        for (int k = 1; k <= 40; k++)
        {
            GoIntSlice slice = GoIntSlice.Empty;
            int lastMove = 0;
            for (int length = 1; length <= k; length++)
            {
                int capacityBefore = slice.Capacity;
                slice = slice.Append(length);
                if (slice.Capacity != capacityBefore)
                {
                    lastMove = length;
                }
            }
            Assert.True(lastMove == CpuTaker.GoAppendSharedFrom(k), $"k = {k}: Go moves the array last at length {lastMove}");
        }
    }

    /// <summary>
    /// The engine's taker against the reference model over random machines and requests: the same
    /// CPUs or the same error text, for the distributed and the packed algorithm. Machines mix
    /// NUMA-first and sockets-first layouts with uneven NUMA counts per socket, 1-2 threads per
    /// core with near or far sibling numbering, and per-node free counts drawn to make ties likely.
    /// </summary>
    [Fact]
    public void Random_machines_agree_with_the_reference_model()
    {
        int compared = 0, aliasingMatters = 0, kubeletWouldHang = 0;
        for (int seed = 1; seed <= 1000; seed++)
        {
            var random = new Random(seed);
            CpuInfo[] machine = RandomMachine(random);
            var taker = new CpuTaker(CpuTopology.Create(machine));
            var kubelet = new KubeletCpuReference(machine);
            var naive = new KubeletCpuReference(machine, copyWinners: true);
            int threads = machine.Length / machine.Select(c => c.CoreId).Distinct().Count();
            for (int request = 0; request < 4; request++)
            {
                int[] available = RandomAvailable(random, machine);
                if (available.Length == 0)
                {
                    continue;
                }
                int groupSize = random.Next(2) == 0 ? 1 : threads;
                int count = random.Next(1, available.Length + 1);
                if (random.Next(4) != 0)
                {
                    count = Math.Max(groupSize, count / groupSize * groupSize);
                }
                CpuSet availableSet = CpuSet.Of(available);
                string context = $"seed {seed} request {request}: available {availableSet}, n = {count}, g = {groupSize}";

                string packed = taker.TryTakePacked(availableSet, count, CpuSortingStrategy.Packed, false, out CpuSet p, out string? pe) ? p.ToString() : pe!;
                Assert.True(Canonical(kubelet.TakePacked(available, count, spread: false)) == packed, $"packed, {context}: engine {packed}");

                string expected, naiveAnswer;
                try
                {
                    expected = Canonical(kubelet.TakeDistributed(available, count, groupSize, spread: false));
                    naiveAnswer = Canonical(naive.TakeDistributed(available, count, groupSize, spread: false));
                }
                catch (KubeletCpuReference.KubeletWouldHangException)
                {
                    kubeletWouldHang++;
                    continue;
                }
                string actual = taker.TryTakeDistributed(availableSet, count, groupSize, CpuSortingStrategy.Packed, out CpuSet d, out string? de) ? d.ToString() : de!;
                Assert.True(expected == actual, $"distributed, {context}: kubelet {expected}, engine {actual}");
                compared++;
                if (expected != naiveAnswer)
                {
                    aliasingMatters++;
                }
            }
        }

        output.WriteLine($"{compared} distributed requests compared (and as many packed), {aliasingMatters} changed by the slice sharing, {kubeletWouldHang} skipped (the kubelet would not terminate)");

        // The generator must reach the ties where the slice sharing changes the answer.
        Assert.True(compared > 3000, $"only {compared} distributed requests compared");
        Assert.True(aliasingMatters > 20, $"only {aliasingMatters} requests where the kubelet's slice sharing changed the answer");
        Assert.True(kubeletWouldHang < compared / 20, $"{kubeletWouldHang} requests on which the kubelet would not terminate");
    }

    /// <summary>
    /// The same comparison on the kubelet's irregular 288-CPU fixture (4 NUMA nodes: no ties for the
    /// slice sharing to decide, but the orderings meet numbering no formula produces).
    /// </summary>
    [Fact]
    public void The_quad_socket_four_way_machine_agrees_with_the_reference_model()
    {
        CpuInfo[] machine = KubeletFixtures.QuadSocketFourWayHT();
        var taker = new CpuTaker(CpuTopology.Create(machine));
        var kubelet = new KubeletCpuReference(machine);
        var random = new Random(29);
        for (int request = 0; request < 120; request++)
        {
            int[] available = RandomAvailable(random, machine);
            if (available.Length == 0)
            {
                continue;
            }
            int groupSize = random.Next(2) == 0 ? 1 : 4;
            int count = Math.Max(groupSize, random.Next(1, available.Length + 1) / groupSize * groupSize);
            CpuSet availableSet = CpuSet.Of(available);
            string context = $"request {request}: available {availableSet}, n = {count}, g = {groupSize}";
            string packed = taker.TryTakePacked(availableSet, count, CpuSortingStrategy.Packed, false, out CpuSet p, out string? pe) ? p.ToString() : pe!;
            Assert.True(Canonical(kubelet.TakePacked(available, count, spread: false)) == packed, $"packed, {context}: engine {packed}");
            string distributed = taker.TryTakeDistributed(availableSet, count, groupSize, CpuSortingStrategy.Packed, out CpuSet d, out string? de) ? d.ToString() : de!;
            Assert.True(Canonical(kubelet.TakeDistributed(available, count, groupSize, spread: false)) == distributed, $"distributed, {context}: engine {distributed}");
        }
    }

    private static CpuInfo[] RandomMachine(Random random)
    {
        // (socket, NUMA node) of every node.
        var nodes = new List<(int Socket, int Numa)>();
        if (random.Next(2) == 0)
        {
            int sockets = random.Next(1, 4);
            for (int s = 0; s < sockets; s++)
            {
                int perSocket = random.Next(1, 6);
                for (int i = 0; i < perSocket; i++)
                {
                    nodes.Add((s, nodes.Count));
                }
            }
        }
        else
        {
            int numaNodes = random.Next(1, 9);
            for (int n = 0; n < numaNodes; n++)
            {
                nodes.Add((n, n));
            }
        }
        int coresPerNode = random.Next(1, 7);
        int threads = random.Next(3) == 0 ? 1 : 2;
        bool siblingsFar = random.Next(2) == 0;
        int coreCount = nodes.Count * coresPerNode;
        var cpus = new List<CpuInfo>();
        for (int core = 0; core < coreCount; core++)
        {
            var (socket, numa) = nodes[core / coresPerNode];
            // Core id = lowest thread id of the core, as the kubelet's topology discovery reports it.
            int coreId = siblingsFar ? core : core * threads;
            for (int t = 0; t < threads; t++)
            {
                int cpu = siblingsFar ? core + t * coreCount : core * threads + t;
                cpus.Add(new CpuInfo(cpu, coreId, socket, numa, 0));
            }
        }
        return cpus.ToArray();
    }

    private static int[] RandomAvailable(Random random, CpuInfo[] machine)
    {
        // Per node, keep all, lose a few, or a random share: equal free counts across nodes make ties.
        int mode = random.Next(3);
        var available = new List<int>();
        foreach (var node in machine.GroupBy(c => c.NumaNodeId))
        {
            int[] cpus = node.Select(c => c.Cpu).OrderBy(_ => random.Next()).ToArray();
            int keep = mode switch
            {
                0 => cpus.Length,
                1 => cpus.Length - Math.Min(cpus.Length, random.Next(3)),
                _ => random.Next(cpus.Length + 1),
            };
            available.AddRange(cpus.Take(keep));
        }
        return available.Order().ToArray();
    }

    private static int[] ToArray(CpuSet set)
    {
        var cpus = new List<int>();
        foreach (int cpu in set)
        {
            cpus.Add(cpu);
        }
        return cpus.ToArray();
    }

    private static string Canonical(KubeletCpuReference.Answer answer) =>
        answer.Error ?? CpuSet.Of(answer.Cpus!.ToArray()).ToString();
}
