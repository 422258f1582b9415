using ResMgrLite.Nri.Api;

namespace ResMgrLite.Nri.Tests.Plugin;

public class NriRuntimeInfoTests
{
    [Theory]
    [InlineData("containerd", "1.7.24~ds1", 0L, 0L, "", NriApiLevel.V0_6, 0x7FF)]
    [InlineData("containerd", "v1.7.27", 5000L, 2000L, "", NriApiLevel.V0_7, 0x7FF)]
    [InlineData("containerd", "v2.1.4", 5000L, 2000L, "", NriApiLevel.V0_7, 0x7FF)]
    [InlineData("containerd", "v2.2.0", 5000L, 2000L, "", NriApiLevel.V0_10, 0x3FFF)]
    [InlineData("containerd", "v2.3.1", 5000L, 2000L, "", NriApiLevel.V0_12, 0x3FFF)]
    [InlineData("cri-o", "1.33.0", 5000L, 2000L, "v0.10.0", NriApiLevel.V0_10, 0x3FFF)]
    [InlineData("cri-o", "1.34.0", 5000L, 2000L, "v0.12.2", NriApiLevel.V0_12, 0x3FFF)]
    [InlineData("cri-o", "9.9.9", 0L, 0L, "", NriApiLevel.V0_6, 0x7FF)]
    public void DetectsTheNriLevelFromConfigure(string name, string version, long registration, long request, string nriVersion, NriApiLevel level, int supported)
    {
        var configure = new ConfigureRequest { RuntimeName = name, RuntimeVersion = version, RegistrationTimeout = registration, RequestTimeout = request, NRIVersion = nriVersion };

        NriRuntimeInfo info = NriRuntimeInfo.FromConfigure(configure);

        Assert.Equal(level, info.Level);
        Assert.Equal(supported, (int)info.SupportedEvents);
    }

    [Fact]
    public void TimeoutsAreMillisecondsWithTheNriDefaultsWhenAbsent()
    {
        NriRuntimeInfo v061 = NriRuntimeInfo.FromConfigure(new ConfigureRequest { RuntimeName = "containerd", RuntimeVersion = "1.7.24" });
        NriRuntimeInfo v07 = NriRuntimeInfo.FromConfigure(new ConfigureRequest { RegistrationTimeout = 7000, RequestTimeout = 1500 });

        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2)), (v061.RegistrationTimeout, v061.RequestTimeout));
        Assert.Equal((TimeSpan.FromSeconds(7), TimeSpan.FromMilliseconds(1500)), (v07.RegistrationTimeout, v07.RequestTimeout));
    }

    [Theory]
    [InlineData("1.7.24~ds1", true, 1, 7)]
    [InlineData("v2.3.0-beta.0", true, 2, 3)]
    [InlineData("2.10", true, 2, 10)]
    [InlineData("", false, 0, 0)]
    [InlineData("v", false, 0, 0)]
    [InlineData("abc.def", false, 0, 0)]
    public void ParsesMajorMinor(string text, bool ok, int major, int minor)
    {
        Assert.Equal(ok, NriRuntimeInfo.TryParseMajorMinor(text, out int parsedMajor, out int parsedMinor));
        if (ok)
        {
            Assert.Equal((major, minor), (parsedMajor, parsedMinor));
        }
    }
}
