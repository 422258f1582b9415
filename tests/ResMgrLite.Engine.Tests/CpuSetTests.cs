using CsCheck;
using ResMgrLite.Engine;

namespace ResMgrLite.Engine.Tests;

public sealed class CpuSetTests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("0", "0")]
    [InlineData("0-3,8,10-11", "0-3,8,10-11")]
    [InlineData("3,2,1,0", "0-3")]
    [InlineData("0-1,1-2", "0-2")]
    [InlineData("0-3\n", "0-3")]
    [InlineData("  5  ", "5")]
    [InlineData("0-7:2/4", "0-1,4-5")]
    [InlineData("4095", "4095")]
    [InlineData("0-4095", "0-4095")]
    [InlineData("63,64", "63-64")]
    public void Parses_and_formats_linux_cpulists(string input, string formatted)
    {
        Assert.Equal(formatted, CpuSet.Parse(input).ToString());
    }

    [Theory]
    [InlineData("a", 0, "a")]
    [InlineData("1,,2", 2, ",")]
    [InlineData("1,", 1, ",")]
    [InlineData("3-1", 0, "3-1")]
    [InlineData("4096", 0, "4096")]
    [InlineData("1-99999999999", 2, "99999999999")]
    [InlineData("1-", 2, "end of input")]
    [InlineData("1 2", 1, " ")]
    [InlineData("0-7:0/4", 4, "0/4")]
    [InlineData("0-7:5/4", 4, "5/4")]
    [InlineData("1\u00e92", 1, "\\xe9")]
    public void Rejects_malformed_lists_with_position_and_offending_text(string input, int position, string offending)
    {
        var ex = Assert.Throws<CpuListFormatException>(() => CpuSet.Parse(input));
        Assert.Equal(position, ex.Error.Position);
        Assert.Equal(offending, ex.Error.Offending);
        Assert.Contains($"position {position}", ex.Message, StringComparison.Ordinal);
        Assert.False(CpuSet.TryParse(input, out _));
    }

    [Fact]
    public void Basic_operations()
    {
        var a = CpuSet.Parse("0-5");
        var b = CpuSet.Parse("4-9");
        Assert.Equal("0-9", a.Union(b).ToString());
        Assert.Equal("4-5", a.Intersect(b).ToString());
        Assert.Equal("0-3", a.Except(b).ToString());
        Assert.Equal(6, a.Count);
        Assert.True(a.Contains(5));
        Assert.False(a.Contains(6));
        Assert.False(a.Contains(-1));
        Assert.False(a.Contains(5000));
        Assert.Equal(0, a.Min());
        Assert.Equal(9, b.Max());
        Assert.Equal("0-2", a.TakeFirst(3).ToString());
        Assert.Equal(a, a.TakeFirst(100));
        Assert.True(CpuSet.Parse("1-2").IsSubsetOf(a));
        Assert.True(a.Overlaps(b));
        Assert.Equal(2, a.CountIntersect(b));
        Assert.True(CpuSet.Empty.IsEmpty);
        Assert.Throws<InvalidOperationException>(() => CpuSet.Empty.Min());
        Assert.Throws<ArgumentOutOfRangeException>(() => CpuSet.Of(4096));
        Assert.Equal("0,4095", CpuSet.Of(0).With(4095).ToString());
        Assert.Equal("0", CpuSet.Of(0).With(4095).Without(4095).ToString());
    }

    [Fact]
    public void Formatting_the_longest_possible_list_fits_the_declared_bound()
    {
        CpuSet every2 = CpuSet.Parse("0-4095:1/2");
        string text = every2.ToString();
        Assert.Equal(2048, every2.Count);
        Assert.True(text.Length <= CpuSet.MaxFormattedLength);
        Assert.Equal(every2, CpuSet.Parse(text));
    }

    private static readonly Gen<int[]> CpuArrays = Gen.Int[0, CpuSet.MaxCpus - 1].Array[0, 300];

    private static CpuSet Build(int[] cpus) => CpuSet.Of(cpus);

    [Fact]
    public void Set_algebra_matches_a_reference_set()
    {
        Gen.Select(CpuArrays, CpuArrays).Sample((xs, ys) =>
        {
            var a = Build(xs);
            var b = Build(ys);
            var ra = new SortedSet<int>(xs);
            var rb = new SortedSet<int>(ys);

            Assert.Equal(ra, Enumerate(a));
            Assert.Equal(ra.Count, a.Count);
            Assert.Equal(ra.Count == 0, a.IsEmpty);
            Assert.Equal(new SortedSet<int>(ra.Union(rb)), Enumerate(a.Union(b)));
            Assert.Equal(new SortedSet<int>(ra.Intersect(rb)), Enumerate(a.Intersect(b)));
            Assert.Equal(new SortedSet<int>(ra.Except(rb)), Enumerate(a.Except(b)));
            Assert.Equal(ra.IsSubsetOf(rb), a.IsSubsetOf(b));
            Assert.Equal(ra.Overlaps(rb), a.Overlaps(b));
            Assert.Equal(ra.Intersect(rb).Count(), a.CountIntersect(b));
            Assert.Equal(ra.SetEquals(rb), a == b);
            if (ra.SetEquals(rb))
            {
                Assert.Equal(a.GetHashCode(), b.GetHashCode());
            }
            if (ra.Count > 0)
            {
                Assert.Equal(ra.Min, a.Min());
                Assert.Equal(ra.Max, a.Max());
            }
            int n = ys.Length % 40;
            Assert.Equal(ra.Take(n), Enumerate(a.TakeFirst(n)));
            foreach (int probe in ys)
            {
                Assert.Equal(ra.Contains(probe), a.Contains(probe));
            }
        }, iter: 2000);
    }

    [Fact]
    public void Format_then_parse_round_trips()
    {
        CpuArrays.Sample(xs =>
        {
            var set = Build(xs);
            string text = set.ToString();
            Assert.Equal(set, CpuSet.Parse(text));
            Assert.Equal(text, FormatReference(new SortedSet<int>(xs)));
        }, iter: 2000);
    }

    [Fact]
    public void Operations_do_not_allocate()
    {
        var a = CpuSet.Parse("0-1000,2000-2047");
        var b = CpuSet.Parse("500-2500");
        char[] buffer = new char[CpuSet.MaxFormattedLength];
        int sink = 0;
        Work(); // warm-up (JIT, statics)
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            Work();
        }
        long after = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(0, after - before);
        Assert.NotEqual(0, sink);

        void Work()
        {
            var u = a.Union(b);
            var x = a.Intersect(b).Except(CpuSet.Of(600));
            sink += u.Count + x.Count + a.TakeFirst(7).Count + u.Min() + u.Max();
            foreach (int cpu in x)
            {
                sink += cpu & 1;
            }
            sink += x.IsSubsetOf(u) ? 1 : 0;
            sink += a.Overlaps(b) ? 1 : 0;
            sink += a.Contains(5) ? 1 : 0;
            a.With(3000).TryFormat(buffer, out int written);
            sink += written;
            CpuSet.TryParse("0-3,8,10-11", out var parsed);
            sink += parsed.Count;
        }
    }

    private static SortedSet<int> Enumerate(CpuSet set)
    {
        var result = new SortedSet<int>();
        int previous = -1;
        foreach (int cpu in set)
        {
            Assert.True(cpu > previous, "enumeration must be ascending");
            previous = cpu;
            result.Add(cpu);
        }
        return result;
    }

    private static string FormatReference(SortedSet<int> cpus)
    {
        var parts = new List<string>();
        int[] sorted = cpus.ToArray();
        for (int i = 0; i < sorted.Length;)
        {
            int j = i;
            while (j + 1 < sorted.Length && sorted[j + 1] == sorted[j] + 1)
            {
                j++;
            }
            parts.Add(i == j ? $"{sorted[i]}" : $"{sorted[i]}-{sorted[j]}");
            i = j + 1;
        }
        return string.Join(",", parts);
    }
}
