using ResMgrLite.Config.Validation;

namespace ResMgrLite.Config.Tests.Configuration;

public sealed class ValueParserTests
{
    [Theory]
    [InlineData("1Gi", 1073741824)]
    [InlineData("100Mi", 104857600)]
    [InlineData("1.5Ki", 1536)]
    [InlineData("500m", 0.5)]
    [InlineData("2", 2)]
    [InlineData("1e3", 1000)]
    [InlineData("1k", 1000)]
    [InlineData("1M", 1000000)]
    [InlineData("0", 0)]
    public void Quantities_parse_like_kubernetes(string text, double expected)
    {
        Assert.True(Quantity.TryParse(text, out decimal value));
        Assert.Equal((decimal)expected, value);
    }

    [Fact]
    public void The_exbi_suffix_is_binary_not_an_exponent()
    {
        Assert.True(Quantity.TryParse("1Ei", out decimal value));
        Assert.Equal(1152921504606846976m, value);
        Assert.True(Quantity.TryParse("1E3", out value));
        Assert.Equal(1000m, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Gi")]
    [InlineData("1GB")]
    [InlineData("1.")]
    [InlineData("1..2")]
    [InlineData("1 Gi")]
    [InlineData("1e99")]
    public void Malformed_quantities_are_rejected(string text)
    {
        Assert.False(Quantity.TryParse(text, out _));
    }

    [Theory]
    [InlineData("10s", 10_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("500ms", 500)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("0", 0)]
    public void Durations_parse_like_go(string text, long milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("s")]
    [InlineData("10 s")]
    [InlineData("10d")]
    public void Malformed_durations_are_rejected(string text)
    {
        Assert.False(GoDuration.TryParse(text, out _));
    }

    [Theory]
    [InlineData(10_000, "10s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(250, "250ms")]
    [InlineData(3_600_000, "1h")]
    public void Durations_format_back(long milliseconds, string expected)
    {
        Assert.Equal(expected, GoDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [Theory]
    [InlineData("polcy", "policy")]
    [InlineData("reservedSystemCpus", "reservedSystemCPUs")]
    [InlineData("scpoe", "scope")]
    public void Suggestions_find_near_misses(string typed, string expected)
    {
        Assert.Equal(expected, KeySuggester.Closest(typed, ["policy", "scope", "reservedSystemCPUs", "policyOptions"]));
    }

    [Fact]
    public void Suggestions_stay_quiet_when_nothing_is_close()
    {
        Assert.Null(KeySuggester.Closest("frobnicate", ["policy", "scope"]));
    }
}
