using ResMgrLite.Nri.Api;

namespace ResMgrLite.Nri.Tests.Plugin;

public class NriRuntimeInfoTests
{
    [Theory]
    // containerd 1.7.x: timeouts appear with v0.7 (1.7.26+), the table says which NRI.
    [InlineData("containerd", "1.7.0", false, "", NriApiLevel.V0_6, "v0.3")]
    [InlineData("containerd", "v1.7.13", false, "", NriApiLevel.V0_6, "v0.4")]
    [InlineData("containerd", "1.7.24~ds1", false, "", NriApiLevel.V0_6, "v0.6")]
    [InlineData("containerd", "v1.7.25", false, "", NriApiLevel.V0_6, "v0.6")]
    [InlineData("containerd", "v1.7.27", true, "", NriApiLevel.V0_7, "v0.8")]
    [InlineData("containerd", "v1.7.34", true, "", NriApiLevel.V0_7, "v0.8")]
    // containerd 2.x; an unknown patch takes the closest release at or below it.
    [InlineData("containerd", "v2.0.7", true, "", NriApiLevel.V0_7, "v0.8")]
    [InlineData("containerd", "2.1.9~ds1", true, "", NriApiLevel.V0_7, "v0.8")]
    [InlineData("containerd", "v2.1.99", true, "", NriApiLevel.V0_7, "v0.8")]
    [InlineData("containerd", "v2.2.0", true, "", NriApiLevel.V0_10, "v0.10")]
    [InlineData("containerd", "v2.2.3", true, "", NriApiLevel.V0_10, "v0.11")]
    [InlineData("containerd", "v2.3.1", true, "", NriApiLevel.V0_12, "v0.12")]
    [InlineData("containerd", "v2.4.0-beta.0", true, "", NriApiLevel.V0_12, "v0.12")]
    // CRI-O 1.31–1.36 (1.36 is not in NRI's table: closest is 1.35).
    [InlineData("cri-o", "1.31.4", false, "", NriApiLevel.V0_6, "v0.6")]
    [InlineData("cri-o", "1.32.0", true, "", NriApiLevel.V0_7, "v0.9")]
    [InlineData("cri-o", "1.33.2", true, "", NriApiLevel.V0_7, "v0.9")]
    [InlineData("cri-o", "1.34.1", true, "", NriApiLevel.V0_10, "v0.10")]
    [InlineData("CRI-O", "1.35.0", true, "", NriApiLevel.V0_10, "v0.11")]
    [InlineData("cri-o", "1.36.0", true, "", NriApiLevel.V0_10, "v0.11")]
    // What the runtime says wins over the table.
    [InlineData("containerd", "v1.7.24", true, "v0.12.2", NriApiLevel.V0_12, "v0.12.2")]
    [InlineData("cri-o", "1.36.0", true, "v0.12.1", NriApiLevel.V0_12, "v0.12.1")]
    public void Infers_the_nri_level(string name, string version, bool timeouts, string nriVersion, object levelValue, string detected)
    {
        NriApiLevel level = (NriApiLevel)levelValue;
        var configure = new ConfigureRequest
        {
            RuntimeName = name,
            RuntimeVersion = version,
            RegistrationTimeout = timeouts ? 5000 : 0,
            RequestTimeout = timeouts ? 2000 : 0,
            NRIVersion = nriVersion,
        };

        NriRuntimeInfo info = NriRuntimeInfo.FromConfigure(configure);

        Assert.Equal((level, detected), (info.Level, info.DetectedNriVersion));
        Assert.Equal(nriVersion.Length > 0 ? NriLevelSource.Reported : NriLevelSource.RuntimeVersion, info.LevelSource);
    }

    [Theory]
    [InlineData("containerd", "1.6.20", false, NriApiLevel.V0_6, NriLevelSource.Assumed)]
    [InlineData("cri-o", "1.30.0", true, NriApiLevel.V0_7, NriLevelSource.TimeoutFields)]
    [InlineData("podman", "9.9.9", false, NriApiLevel.V0_6, NriLevelSource.Assumed)]
    [InlineData("containerd", "nonsense", true, NriApiLevel.V0_7, NriLevelSource.TimeoutFields)]
    [InlineData("", "", false, NriApiLevel.V0_6, NriLevelSource.Assumed)]
    public void Unknown_runtimes_fall_back_to_what_configure_shows(string name, string version, bool timeouts, object levelValue, object sourceValue)
    {
        NriApiLevel level = (NriApiLevel)levelValue;
        NriLevelSource source = (NriLevelSource)sourceValue;
        var configure = new ConfigureRequest { RuntimeName = name, RuntimeVersion = version, RegistrationTimeout = timeouts ? 5000 : 0 };

        NriRuntimeInfo info = NriRuntimeInfo.FromConfigure(configure);

        Assert.Equal((level, source, ""), (info.Level, info.LevelSource, info.DetectedNriVersion));
    }

    [Theory]
    [InlineData("0.0.0-unknown")]
    [InlineData("(devel)")]
    public void Any_reported_nri_version_means_v_012_because_only_v_012_has_the_field(string reported)
    {
        NriRuntimeInfo info = NriRuntimeInfo.FromConfigure(new ConfigureRequest { RuntimeName = "containerd", RuntimeVersion = "v2.3.0", NRIVersion = reported });

        Assert.Equal(NriApiLevel.V0_12, info.Level);
    }

    [Theory]
    [InlineData(NriApiLevel.V0_6, 0x07FF)]
    [InlineData(NriApiLevel.V0_7, 0x07FF)]
    [InlineData(NriApiLevel.V0_10, 0x3FFF)]
    [InlineData(NriApiLevel.V0_12, 0x3FFF)]
    public void Event_mask_follows_the_level(object levelValue, int supported)
    {
        NriApiLevel level = (NriApiLevel)levelValue;
        var info = new NriRuntimeInfo("containerd", "x", "", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), level);

        Assert.Equal(supported, (int)info.SupportedEvents);
        Assert.Equal(level >= NriApiLevel.V0_10, info.SupportedEvents.HasFlag(NriEventMask.UpdatePodSandbox | NriEventMask.PostUpdatePodSandbox));
    }

    [Theory]
    [InlineData("containerd", "2.1.9", "", "runtime containerd 2.1.9, NRI v0.8 (inferred from the runtime version): pod resize events not available")]
    [InlineData("containerd", "1.7.24~ds1", "", "runtime containerd 1.7.24~ds1, NRI v0.6 (inferred from the runtime version): pod resize events not available; pre-launched plugins get no Synchronize")]
    [InlineData("containerd", "v2.3.0", "v0.12.2", "runtime containerd v2.3.0, NRI v0.12.2: pod resize events available (UpdatePodSandbox, PostUpdatePodSandbox); events arrive as dedicated calls")]
    [InlineData("cri-o", "1.34.0", "", "runtime cri-o 1.34.0, NRI v0.10 (inferred from the runtime version): pod resize events available (UpdatePodSandbox, PostUpdatePodSandbox)")]
    [InlineData("", "", "", "runtime unknown, NRI version unknown (assuming v0.6, the oldest): pod resize events not available; pre-launched plugins get no Synchronize")]
    public void Describes_the_level_in_words(string name, string version, string nriVersion, string expected)
    {
        NriRuntimeInfo info = NriRuntimeInfo.FromConfigure(new ConfigureRequest { RuntimeName = name, RuntimeVersion = version, NRIVersion = nriVersion });

        Assert.Equal(expected, info.Describe());
    }

    [Fact]
    public void Timeouts_are_milliseconds_with_the_nri_defaults_when_absent()
    {
        NriRuntimeInfo v061 = NriRuntimeInfo.FromConfigure(new ConfigureRequest { RuntimeName = "containerd", RuntimeVersion = "1.7.24" });
        NriRuntimeInfo v07 = NriRuntimeInfo.FromConfigure(new ConfigureRequest { RegistrationTimeout = 7000, RequestTimeout = 1500 });

        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2)), (v061.RegistrationTimeout, v061.RequestTimeout));
        Assert.Equal((TimeSpan.FromSeconds(7), TimeSpan.FromMilliseconds(1500)), (v07.RegistrationTimeout, v07.RequestTimeout));
    }

    [Theory]
    [InlineData("1.7.24~ds1", true, 1, 7, 24)]
    [InlineData("v2.3.0-beta.0", true, 2, 3, 0)]
    [InlineData("2.10", true, 2, 10, 0)]
    [InlineData("v0.12.2", true, 0, 12, 2)]
    [InlineData("2.1.9+ds1-5", true, 2, 1, 9)]
    [InlineData("1.7.", true, 1, 7, 0)]
    [InlineData("", false, 0, 0, 0)]
    [InlineData("v", false, 0, 0, 0)]
    [InlineData("abc.def", false, 0, 0, 0)]
    [InlineData("1", false, 0, 0, 0)]
    [InlineData("99999999999.1", false, 0, 0, 0)]
    public void ParsesReleaseNumbers(string text, bool ok, int major, int minor, int patch)
    {
        Assert.Equal(ok, RuntimeRelease.TryParse(text, out RuntimeRelease release));
        if (ok)
        {
            Assert.Equal(new RuntimeRelease(major, minor, patch), release);
        }
    }
}
