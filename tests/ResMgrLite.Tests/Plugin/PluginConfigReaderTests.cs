using ResMgrLite.Nri;
using ResMgrLite.Nri.Api;
using ResMgrLite.Plugin;
using ResMgrLite.TestSupport.FakeNri;

namespace ResMgrLite.Tests.Plugin;

public sealed class PluginConfigReaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("plugin-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void ReadsTargetAndLevelFromTheDropInToml()
    {
        PluginLogSettings settings = PluginConfigReader.ReadLogSettings("[log]\ntarget = \"/var/log/other.log\"\nlevel = \"debug\"\n");

        Assert.Equal(new PluginLogSettings("/var/log/other.log", ProtocolLogLevel.Debug), settings);
    }

    [Theory]
    [InlineData("[log]\ntarget = \"stderr\"\n")]
    [InlineData("[log]\nlevel = \"warning\"\n")]
    public void StdioTargetsKeepTheCurrentFile(string config)
    {
        Assert.Null(PluginConfigReader.ReadLogSettings(config).Path);
    }

    [Fact]
    public void TraceMapsToDebug()
    {
        Assert.Equal(ProtocolLogLevel.Debug, PluginConfigReader.ReadLogSettings("[log]\nlevel = \"trace\"\n").Level);
    }

    [Theory]
    [InlineData("[log\n", "NRI Configure config:1:")]
    [InlineData("[log]\nlevel = \"loud\"\n", "NRI Configure config:2:")]
    public void InvalidConfigThrowsWithEveryPositionedProblem(string config, string expected)
    {
        var error = Assert.Throws<FormatException>(() => PluginConfigReader.ReadLogSettings(config));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PreLaunchedPluginMovesItsLogWhereTheConfigSays()
    {
        (int runtimeFd, int pluginFd) = SocketPair.CreateDescriptors();
        string initial = Path.Combine(_directory, "initial.log");
        string configured = Path.Combine(_directory, "configured.log");
        Task<int> exit = PluginMain.RunPreLaunchedAsync(
            new NriPreLaunchedPlugin(pluginFd, "resmgrlite", "90"),
            PluginConfigReader.ReadLogSettings,
            new PluginLog(initial, ProtocolLogLevel.Info),
            CancellationToken.None);
        await using FakeNriRuntime runtime = FakeNriRuntime.Attach(SocketPair.FromDescriptor(runtimeFd));

        await runtime.Registered.WaitAsync(TimeSpan.FromSeconds(10));
        await runtime.ConfigureAsync(config: $"[log]\ntarget = \"{configured}\"\nlevel = \"debug\"\n");
        await runtime.CallAsync("CreateContainer", PluginMainTests.AnnotatedCreate("3"), CreateContainerResponse.Parser);
        runtime.Close();

        Assert.Equal(0, await exit.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("cpuset 3", await File.ReadAllTextAsync(configured), StringComparison.Ordinal);
        Assert.DoesNotContain("cpuset 3", File.Exists(initial) ? await File.ReadAllTextAsync(initial) : "", StringComparison.Ordinal);
    }
}
