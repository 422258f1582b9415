using ResMgrLite.Nri;
using ResMgrLite.Nri.Api;
using ResMgrLite.Plugin;
using ResMgrLite.TestSupport.FakeNri;

namespace ResMgrLite.Tests.Plugin;

/// <summary>The exe's plugin entry points in-process, driven by the fake runtime.</summary>
public sealed class PluginMainTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly string _directory = Directory.CreateTempSubdirectory("plugin-main-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    internal static CreateContainerRequest AnnotatedCreate(string cpuset)
    {
        var pod = new PodSandbox { Id = "pod1", Name = "demo", Namespace = "default" };
        pod.Annotations["resmgrlite.io/cpuset"] = cpuset;
        return new CreateContainerRequest { Pod = pod, Container = new Container { Id = "ctr1", PodSandboxId = "pod1", Name = "app" } };
    }

    [Fact]
    public async Task ExternalModeAppliesTheAnnotationCpuset()
    {
        string socket = Path.Combine(_directory, "nri.sock");
        string logFile = Path.Combine(_directory, "plugin.log");
        using System.Net.Sockets.Socket listener = FakeNriRuntime.Listen(socket);
        using var stop = new CancellationTokenSource();
        Task<int> plugin = PluginMain.RunExternalAsync(socket, "test", "50", logFile, ProtocolLogLevel.Debug, stop.Token);

        await using (FakeNriRuntime runtime = await FakeNriRuntime.AcceptAsync(listener, CancellationToken.None).WaitAsync(Wait))
        {
            ConfigureResponse configured = await runtime.HandshakeAsync(new SynchronizeRequest());
            CreateContainerResponse created = await runtime.CallAsync("CreateContainer", AnnotatedCreate("2,0-1"), CreateContainerResponse.Parser);

            Assert.Equal("0-2", created.Adjust.Linux.Resources.Cpu.Cpus);
            Assert.Equal(0, configured.Events & ~0x7FF);
        }

        await stop.CancelAsync();
        Assert.Equal(0, await plugin.WaitAsync(Wait));
        string log = await File.ReadAllTextAsync(logFile);
        Assert.Contains("DEBUG create container default/demo/app (ctr1): cpuset 0-2", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExternalModeRefusesABadIndex()
    {
        Assert.Equal(2, await PluginMain.RunExternalAsync(Path.Combine(_directory, "s"), "test", "5", null, ProtocolLogLevel.Info, CancellationToken.None));
    }

    [Fact]
    public async Task PreLaunchedModeRegistersServesAndExitsOnEof()
    {
        (int runtimeFd, int pluginFd) = SocketPair.CreateDescriptors();
        string logFile = Path.Combine(_directory, "from-config.log");
        var plugin = new NriPreLaunchedPlugin(pluginFd, "resmgrlite", "90");
        Task<int> exit = PluginMain.RunPreLaunchedAsync(plugin, config => new PluginLogSettings(config.Trim(), ProtocolLogLevel.Debug), new PluginLog(null, ProtocolLogLevel.Info), CancellationToken.None);
        await using FakeNriRuntime runtime = FakeNriRuntime.Attach(SocketPair.FromDescriptor(runtimeFd));

        RegisterPluginRequest registered = await runtime.Registered.WaitAsync(Wait);
        await runtime.ConfigureAsync(config: logFile + "\n");
        CreateContainerResponse created = await runtime.CallAsync("CreateContainer", AnnotatedCreate("7"), CreateContainerResponse.Parser);
        runtime.Close();

        Assert.Equal(("resmgrlite", "90"), (registered.PluginName, registered.PluginIdx));
        Assert.Equal("7", created.Adjust.Linux.Resources.Cpu.Cpus);
        Assert.Equal(0, await exit.WaitAsync(Wait));
        Assert.Contains("cpuset 7", await File.ReadAllTextAsync(logFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PreLaunchedModeSurvivesAConfigReaderThatThrows()
    {
        (int runtimeFd, int pluginFd) = SocketPair.CreateDescriptors();
        var plugin = new NriPreLaunchedPlugin(pluginFd, "resmgrlite", "90");
        Task<int> exit = PluginMain.RunPreLaunchedAsync(plugin, _ => throw new FormatException("line 1, column 3: expected '='"), new PluginLog(Path.Combine(_directory, "default.log"), ProtocolLogLevel.Info), CancellationToken.None);
        await using FakeNriRuntime runtime = FakeNriRuntime.Attach(SocketPair.FromDescriptor(runtimeFd));

        await runtime.Registered.WaitAsync(Wait);
        ConfigureResponse configured = await runtime.ConfigureAsync(config: "not toml");
        runtime.Close();

        Assert.NotEqual(0, configured.Events);
        Assert.Equal(0, await exit.WaitAsync(Wait));
        Assert.Contains("configuration ignored, using defaults: line 1, column 3", await File.ReadAllTextAsync(Path.Combine(_directory, "default.log")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PreLaunchedModeWithAnInvalidIdentityExitsWithoutRegistering()
    {
        (int runtimeFd, int pluginFd) = SocketPair.CreateDescriptors();
        using System.Net.Sockets.Socket runtimeEnd = SocketPair.FromDescriptor(runtimeFd);

        int exit = await PluginMain.RunPreLaunchedAsync(new NriPreLaunchedPlugin(pluginFd, "bad name", "9"), null, new PluginLog(null, ProtocolLogLevel.Info), CancellationToken.None).WaitAsync(Wait);

        // Nothing was written: a RegisterPlugin with an identity the runtime refuses is pointless.
        Assert.Equal(2, exit);
        Assert.Equal(0, runtimeEnd.Available);
    }

    [Fact]
    public async Task PreLaunchedModeOnADescriptorThatIsNotASocketExitsWithoutCrashing()
    {
        string file = Path.Combine(_directory, "not-a-socket");
        await File.WriteAllTextAsync(file, "x");
        Microsoft.Win32.SafeHandles.SafeFileHandle handle = File.OpenHandle(file);
        int fd = (int)handle.DangerousGetHandle();

        // The plugin takes ownership of the fd, as of the one the runtime passes.
        handle.SetHandleAsInvalid();
        var log = new PluginLog(Path.Combine(_directory, "err.log"), ProtocolLogLevel.Info);

        int exit = await PluginMain.RunPreLaunchedAsync(new NriPreLaunchedPlugin(fd, "resmgrlite", "90"), null, log, CancellationToken.None).WaitAsync(Wait);

        Assert.Equal(1, exit);
        Assert.Contains("the pre-launched plugin socket is unusable", await File.ReadAllTextAsync(Path.Combine(_directory, "err.log")), StringComparison.Ordinal);
    }
}
