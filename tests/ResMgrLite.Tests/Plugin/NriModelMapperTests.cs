using CsCheck;
using ResMgrLite.Engine.Model;
using ResMgrLite.Nri.Api;
using ResMgrLite.Plugin;

namespace ResMgrLite.Tests.Plugin;

/// <summary>
/// Every number the runtime passes, over its full range: a value the kubelet can send maps exactly,
/// anything else refuses the container with a <see cref="FormatException"/> naming the field and
/// the value — never an overflow, never a wrap to a smaller request.
/// </summary>
public sealed class NriModelMapperTests
{
    private const long Gi = 1L << 30;

    /// <summary>0, 1, max, max−1, 2^k±1 and random values: the classes where arithmetic breaks.</summary>
    private static readonly Gen<ulong> AnyULong = Gen.OneOf(
        Gen.OneOf(0UL, 1UL, 2UL, 3UL, ulong.MaxValue, ulong.MaxValue - 1, 1UL << 54, 1UL << 60, 1UL << 63),
        Gen.Int[0, 63].Select(Gen.Int[-1, 1], (k, d) => unchecked((1UL << k) + (ulong)d)),
        Gen.ULong);

    private static readonly Gen<long> AnyLong = Gen.OneOf(
        AnyULong.Select(v => unchecked((long)v)),
        Gen.OneOf(long.MinValue, long.MinValue + 1, -1L, -1000L, -1001L),
        Gen.Long);

    private static ContainerSpec Map(LinuxResources resources, long? oomScoreAdj = null, QosClass qos = QosClass.Burstable)
    {
        var container = new Container { Id = "c", Name = "app", Linux = new LinuxContainer { Resources = resources } };
        if (oomScoreAdj is { } oom)
        {
            container.Linux.OomScoreAdj = new OptionalInt { Value = oom };
        }
        return NriModelMapper.ToContainerSpec(new PodSandbox { Uid = "u", Name = "p", Namespace = "ns" }, container, qos, 64 * Gi, out _);
    }

    private static LinuxResources Cpu(ulong? shares = null, long? quota = null, ulong? period = null)
    {
        var cpu = new LinuxCPU();
        if (shares is { } s)
        {
            cpu.Shares = new OptionalUInt64 { Value = s };
        }
        if (quota is { } q)
        {
            cpu.Quota = new OptionalInt64 { Value = q };
        }
        if (period is { } p)
        {
            cpu.Period = new OptionalUInt64 { Value = p };
        }
        return new LinuxResources { Cpu = cpu };
    }

    [Fact]
    public void Quota_two_to_the_sixty_with_period_max_is_refused_naming_the_period()
    {
        var refused = Assert.Throws<FormatException>(() => Map(Cpu(quota: 1L << 60, period: ulong.MaxValue)));
        Assert.StartsWith("cpu period 18446744073709551615 is outside 1000..1000000", refused.Message, StringComparison.Ordinal);
        Assert.StartsWith("cpu quota 1152921504606846976 is above", Assert.Throws<FormatException>(() => Map(Cpu(quota: 1L << 60, period: 100_000))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shares_of_two_to_the_fifty_four_never_become_a_request_of_zero()
    {
        var refused = Assert.Throws<FormatException>(() => Map(Cpu(shares: 1UL << 54)));
        Assert.StartsWith("cpu shares 18014398509481984 is above 262144", refused.Message, StringComparison.Ordinal);
        Assert.Equal(256_000, Map(Cpu(shares: NriModelMapper.MaxShares)).Resources.CpuRequestMilli);
    }

    [Fact]
    public void Every_shares_value_maps_or_is_refused_and_no_request_is_lost()
    {
        AnyULong.Sample(shares =>
        {
            ContainerSpec spec;
            try
            {
                spec = Map(Cpu(shares: shares));
            }
            catch (FormatException e)
            {
                Assert.True(shares > NriModelMapper.MaxShares, e.Message);
                Assert.Contains($"cpu shares {shares}", e.Message, StringComparison.Ordinal);
                return;
            }
            Assert.True(shares <= NriModelMapper.MaxShares);
            Assert.Equal(shares <= 2 ? 0 : (long)Math.Ceiling(shares * 1000.0 / 1024), spec.Resources.CpuRequestMilli);
        }, iter: 20_000);
    }

    [Fact]
    public void The_kubelets_shares_invert_to_the_original_request()
    {
        Gen.Long[2, 256_000].Sample(milli =>
        {
            ulong shares = (ulong)Math.Clamp(milli * 1024 / 1000, 2, 262_144);
            Assert.Equal(shares <= 2 ? 0 : milli, Map(Cpu(shares: shares)).Resources.CpuRequestMilli);
        });
    }

    [Fact]
    public void Every_quota_and_period_maps_or_is_refused()
    {
        Gen.Select(AnyLong, AnyULong).Sample((quota, period) =>
        {
            ContainerSpec spec;
            try
            {
                spec = Map(Cpu(quota: quota, period: period));
            }
            catch (FormatException e)
            {
                bool badPeriod = period != 0 && period is < NriModelMapper.MinPeriodMicros or > NriModelMapper.MaxPeriodMicros;
                Assert.True(badPeriod || quota > NriModelMapper.MaxQuotaMicros, e.Message);
                Assert.Contains(badPeriod ? $"cpu period {period}" : $"cpu quota {quota}", e.Message, StringComparison.Ordinal);
                return;
            }
            long limit = spec.Resources.CpuLimitMilli;
            Assert.True(quota <= 0 ? limit == 0 : limit > 0, $"quota {quota} period {period}: limit {limit}");
            Assert.InRange(limit, 0, NriModelMapper.MaxQuotaMicros);
        }, iter: 50_000);
    }

    [Fact]
    public void The_kubelets_quota_inverts_to_the_original_limit_for_every_period()
    {
        Gen.Select(Gen.Long[1, 10_000_000], Gen.ULong[NriModelMapper.MinPeriodMicros, NriModelMapper.MaxPeriodMicros]).Sample((milli, period) =>
        {
            // The kubelet: quota = milli·period/1000, raised to MinQuotaPeriod.
            long quota = milli * (long)period / 1000;
            if (quota < NriModelMapper.MinQuotaMicros)
            {
                return;
            }
            Assert.Equal(milli, Map(Cpu(quota: quota, period: period)).Resources.CpuLimitMilli);
        });
    }

    [Fact]
    public void Memory_limits_over_the_full_range()
    {
        AnyLong.Sample(limit =>
        {
            var resources = new LinuxResources { Memory = new LinuxMemory { Limit = new OptionalInt64 { Value = limit } } };
            if (limit < -1)
            {
                Assert.StartsWith($"memory limit {limit} is negative", Assert.Throws<FormatException>(() => Map(resources)).Message, StringComparison.Ordinal);
                return;
            }
            ContainerSpec spec = Map(resources, qos: QosClass.Guaranteed);
            long expected = limit <= 0 ? 0 : Math.Min(limit, NriModelMapper.MaxBytes);
            Assert.Equal(expected, spec.Resources.MemoryLimitBytes);
            // Guaranteed: request = limit, so the two stay equal however large.
            Assert.Equal(expected, spec.Resources.MemoryRequestBytes);
        }, iter: 20_000);
    }

    [Fact]
    public void Hugepage_limits_become_hugepage_requests_over_the_full_range()
    {
        AnyULong.Sample(limit =>
        {
            var resources = new LinuxResources();
            resources.HugepageLimits.Add(new HugepageLimit { PageSize = "2MB", Limit = limit });
            resources.HugepageLimits.Add(new HugepageLimit { PageSize = "1GB", Limit = limit / 2 });
            resources.HugepageLimits.Add(new HugepageLimit { PageSize = "64KB", Limit = limit });
            ContainerSpec spec = Map(resources);
            Assert.Equal((long)Math.Min(limit, (ulong)NriModelMapper.MaxBytes), spec.Resources.Hugepages2MiBytes);
            Assert.Equal((long)Math.Min(limit / 2, (ulong)NriModelMapper.MaxBytes), spec.Resources.Hugepages1GiBytes);
        });
    }

    [Fact]
    public void Oom_score_adj_outside_the_kernels_range_is_refused()
    {
        AnyLong.Sample(oom =>
        {
            if (oom is < -1000 or > 1000)
            {
                Assert.StartsWith($"oom_score_adj {oom} is outside -1000..1000", Assert.Throws<FormatException>(() => Map(new LinuxResources(), oom)).Message, StringComparison.Ordinal);
            }
            else
            {
                Assert.InRange(Map(new LinuxResources(), oom).Resources.MemoryRequestBytes, 0, 64 * Gi);
            }
        }, iter: 20_000);
    }

    [Theory]
    [InlineData("cpu=99999999999999999999999999")]
    [InlineData("cpu=79228162514264337593543950335")]
    [InlineData("memory=79228162514264337593543950335")]
    [InlineData("memory=9Ei")]
    [InlineData("limits.cpu=1e18")]
    [InlineData("requests.memory=-1")]
    [InlineData("cpu=abc")]
    [InlineData("cpu")]
    [InlineData("gpu=1")]
    public void Pod_level_annotations_that_do_not_fit_are_refused_in_words(string annotation)
    {
        var refused = Assert.Throws<FormatException>(() => NriModelMapper.ParsePodResources(annotation));
        Assert.DoesNotContain("Overflow", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Arg_", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Runtime_text_in_messages_is_short_and_printable()
    {
        string hostile = "cpu=" + new string('9', 10_000) + "\n\u0007";
        var refused = Assert.Throws<FormatException>(() => NriModelMapper.ParsePodResources(hostile));
        Assert.True(refused.Message.Length < 300, refused.Message);
        Assert.DoesNotContain('\n', refused.Message);
    }

    [Fact]
    public void Pod_level_annotations_in_range_parse_exactly()
    {
        ContainerResources budget = NriModelMapper.ParsePodResources("requests.cpu=2,limits.cpu=2147483,memory=8Pi");
        Assert.Equal((2000, 2_147_483_000, 8L << 50, 8L << 50), (budget.CpuRequestMilli, budget.CpuLimitMilli, budget.MemoryRequestBytes, budget.MemoryLimitBytes));
    }

    [Theory]
    [InlineData("../../system.slice/x.service")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("uid\u0000")]
    public void Pod_uids_that_are_paths_are_refused(string uid)
    {
        var refused = Assert.Throws<FormatException>(() => NriModelMapper.ToPodSpec(new PodSandbox { Id = "s", Uid = uid }, null));
        Assert.StartsWith("pod uid \"", refused.Message, StringComparison.Ordinal);
        Assert.Equal("0f5e1b2c-3d4e-4f60-8a9b-0c1d2e3f4a5b", NriModelMapper.ToPodSpec(new PodSandbox { Id = "s", Uid = "0f5e1b2c-3d4e-4f60-8a9b-0c1d2e3f4a5b" }, null).Uid);
    }
}
