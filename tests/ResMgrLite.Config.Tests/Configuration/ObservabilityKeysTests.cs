using ResMgrLite.Config.Reload;
using ResMgrLite.Config.Settings;
using static ResMgrLite.Config.Tests.Configuration.ConfigFixtures;

namespace ResMgrLite.Config.Tests.Configuration;

/// <summary>log.target/file/format/maxSize, metrics.listenAddress/textfile and nrt.* keys.</summary>
public sealed class ObservabilityKeysTests
{
    [Fact]
    public void Defaults_log_to_the_documented_file_with_rotation_and_no_metrics()
    {
        ResMgrSettings s = LoadToml("", Machines.TwoNodes).Settings!;
        Assert.Equal(("file", "/var/log/resmgrlite.log", LogFormat.Text, 10L << 20), (s.LogTarget, s.LogFile, s.LogFormat, s.LogMaxSizeBytes));
        Assert.Equal(("", "", "", ""), (s.MetricsListenAddress, s.MetricsTextfile, s.NrtFile, s.NrtNodeName));
    }

    [Fact]
    public void An_absolute_path_target_is_the_file_target_writing_there()
    {
        ResMgrSettings s = LoadToml("[log]\ntarget = \"/tmp/x.log\"\nformat = \"json\"\nmaxSize = \"1Mi\"\n").Settings!;
        Assert.Equal(("file", "/tmp/x.log", LogFormat.Json, 1L << 20), (s.LogTarget, s.LogFile, s.LogFormat, s.LogMaxSizeBytes));
    }

    [Theory]
    [InlineData("[metrics]\nlistenAddress = \"unix:/run/resmgrlite/metrics.sock\"\n", true)]
    [InlineData("[metrics]\nlistenAddress = \"[::1]:9464\"\n", true)]
    [InlineData("[metrics]\nlistenAddress = \"unix:relative\"\n", false)]
    [InlineData("[metrics]\ntextfile = \"/var/lib/node_exporter/resmgrlite.prom\"\n", true)]
    [InlineData("[log]\ntarget = \"journal\"\n", true)]
    [InlineData("[log]\nmaxSize = \"0\"\n", true)]
    [InlineData("[nrt]\nfile = \"/run/resmgrlite/nrt.json\"\nnodeName = \"worker-1\"\n", true)]
    public void Accepts_and_refuses(string toml, bool valid) =>
        Assert.Equal(valid, LoadToml(toml).IsValid);

    [Theory]
    [InlineData("[metrics]\ntextfile = \"/var/lib/node_exporter/resmgrlite.txt\"\n", "test.conf:2:1: metrics.textfile: '/var/lib/node_exporter/resmgrlite.txt' does not end in .prom; node_exporter's textfile collector reads only *.prom files")]
    [InlineData("[log]\nmaxSize = \"1Ki\"\n", "test.conf:2:1: log.maxSize: '1Ki' is too small to be useful; use 0 (never rotate) or at least 64Ki")]
    [InlineData("[log]\nformat = \"xml\"\n", "test.conf:2:1: log.format: 'xml' is not allowed; expected one of 'text', 'json'")]
    public void Problems_name_the_key_and_the_fix(string toml, string expected) =>
        Assert.StartsWith(expected, Messages(LoadToml(toml)), StringComparison.Ordinal);

    [Fact]
    public void Log_keys_change_live_and_metrics_keys_need_a_restart()
    {
        ResMgrSettings running = LoadToml("").Settings!;
        ResMgrSettings proposed = LoadToml("[log]\ntarget = \"stderr\"\nformat = \"json\"\n[metrics]\nlistenAddress = \":9464\"\n[nrt]\nfile = \"/run/nrt.json\"\n").Settings!;
        ReloadResult result = ConfigReload.Compare(running, proposed);
        Assert.Equal(["log.target", "log.format"], result.Applied.Select(c => c.Key));
        Assert.Equal(["metrics.listenAddress", "nrt.file"], result.Refused.Select(r => r.Change.Key));
        Assert.Equal(("stderr", LogFormat.Json, ""), (result.Effective.LogTarget, result.Effective.LogFormat, result.Effective.MetricsListenAddress));
    }
}
