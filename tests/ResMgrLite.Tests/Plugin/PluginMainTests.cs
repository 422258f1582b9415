using ResMgrLite.Nri;
using ResMgrLite.Nri.Api;
using ResMgrLite.Plugin;
using ResMgrLite.TestSupport.FakeNri;
using ResMgrLite.TestSupport.Sysfs;

namespace ResMgrLite.Tests.Plugin;

/// <summary>The exe's plugin entry points in-process, driven by the fake runtime.</summary>
public sealed class PluginMainTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly string _directory = Directory.CreateTempSubdirectory("plugin-main-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string WriteConfig(string directory, string text)
    {
        string path = Path.Combine(directory, "90-resmgrlite.conf");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task External_mode_gives_exclusive_cpus_and_shrinks_the_shared_pool()
    {
        using SysfsTree machine = SysfsFixtures.SingleSocketHt().WriteTree();
        string socket = Path.Combine(_directory, "nri.sock");
        string logFile = Path.Combine(_directory, "plugin.log");
        string config = WriteConfig(_directory, PluginScenario.StaticCpuConfigIn(_directory));
        using System.Net.Sockets.Socket listener = FakeNriRuntime.Listen(socket);
        using var stop = new CancellationTokenSource();
        Task<int> plugin = PluginMain.RunExternalAsync(socket, "test", "50", logFile, ProtocolLogLevel.Debug, stop.Token, config, machine.SysfsRoot);

        await using (FakeNriRuntime runtime = await FakeNriRuntime.AcceptAsync(listener, CancellationToken.None).WaitAsync(Wait))
        {
            ConfigureResponse configured = await runtime.HandshakeAsync(new SynchronizeRequest());
            CreateContainerResponse shared = await runtime.CallAsync("CreateContainer", PluginScenario.Burstable("b1", "ctr-b1"), CreateContainerResponse.Parser);
            CreateContainerResponse exclusive = await runtime.CallAsync("CreateContainer", PluginScenario.Guaranteed("g1", "ctr-g1", 2), CreateContainerResponse.Parser);

            Assert.Equal(0, configured.Events & ~0x7FF);
            Assert.Equal("0-7", shared.Adjust.Linux.Resources.Cpu.Cpus);
            // One whole core (1,5) for the Guaranteed container, quota off; the Burstable one loses it.
            Assert.Equal("1,5", exclusive.Adjust.Linux.Resources.Cpu.Cpus);
            Assert.Equal(-1, exclusive.Adjust.Linux.Resources.Cpu.Quota.Value);
            ContainerUpdate update = Assert.Single(exclusive.Update);
            Assert.Equal(("ctr-b1", "0,2-4,6-7"), (update.ContainerId, update.Linux.Resources.Cpu.Cpus));
        }

        await stop.CancelAsync();
        Assert.Equal(0, await plugin.WaitAsync(Wait));
        Assert.Contains("cpus 1,5 (Container)", await File.ReadAllTextAsync(logFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task External_mode_refuses_a_bad_index()
    {
        Assert.Equal(2, await PluginMain.RunExternalAsync(Path.Combine(_directory, "s"), "test", "5", null, ProtocolLogLevel.Info, CancellationToken.None));
    }

    [Fact]
    public async Task Pre_launched_mode_registers_serves_and_exits_on_eof()
    {
        (int runtimeFd, int pluginFd) = SocketPair.CreateDescriptors();
        string logFile = Path.Combine(_directory, "from-config.log");
        var plugin = new NriPreLaunchedPlugin(pluginFd, "resmgrlite", "90");
        using SysfsTree machine = SysfsFixtures.SingleSocketHt().WriteTree();
        Task<int> exit = PluginMain.RunPreLaunchedAsync(plugin, PluginLog.FollowingConfiguration(null, ProtocolLogLevel.Info), machine.SysfsRoot, CancellationToken.None);
        await using FakeNriRuntime runtime = FakeNriRuntime.Attach(SocketPair.FromDescriptor(runtimeFd));

        RegisterPluginRequest registered = await runtime.Registered.WaitAsync(Wait);
        await runtime.ConfigureAsync(config: PluginScenario.StaticCpuConfigIn(_directory) + $"\ntarget = \"{logFile}\"\n");
        CreateContainerResponse created = await runtime.CallAsync("CreateContainer", PluginScenario.Guaranteed("g7", "ctr7", 3), CreateContainerResponse.Parser);
        runtime.Close();

        Assert.Equal(("resmgrlite", "90"), (registered.PluginName, registered.PluginIdx));
        // A whole free core, then the free sibling of the reserved CPU 0 (partially used cores first, docs/kubelet-rules.md §3.6).
        Assert.Equal("1,4-5", created.Adjust.Linux.Resources.Cpu.Cpus);
        Assert.Equal(0, await exit.WaitAsync(Wait));
        Assert.Contains("cpus 1,4-5 (Container)", await File.ReadAllTextAsync(logFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pre_launched_mode_survives_a_broken_configuration()
    {
        (int runtimeFd, int pluginFd) = SocketPair.CreateDescriptors();
        var plugin = new NriPreLaunchedPlugin(pluginFd, "resmgrlite", "90");
        using SysfsTree machine = SysfsFixtures.SingleSocketHt().WriteTree();
        Task<int> exit = PluginMain.RunPreLaunchedAsync(plugin, new PluginLog(Path.Combine(_directory, "default.log"), ProtocolLogLevel.Info), machine.SysfsRoot, CancellationToken.None);
        await using FakeNriRuntime runtime = FakeNriRuntime.Attach(SocketPair.FromDescriptor(runtimeFd));

        await runtime.Registered.WaitAsync(Wait);
        ConfigureResponse configured = await runtime.ConfigureAsync(config: "not toml");
        runtime.Close();

        Assert.NotEqual(0, configured.Events);
        Assert.Equal(0, await exit.WaitAsync(Wait));
        string log = await File.ReadAllTextAsync(Path.Combine(_directory, "default.log"));
        Assert.Contains("configuration: conf.d/90-resmgrlite.conf:1:", log, StringComparison.Ordinal);
        Assert.Contains("resource management stays off until it is fixed", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pre_launched_mode_with_an_invalid_identity_exits_without_registering()
    {
        (int runtimeFd, int pluginFd) = SocketPair.CreateDescriptors();
        using System.Net.Sockets.Socket runtimeEnd = SocketPair.FromDescriptor(runtimeFd);

        int exit = await PluginMain.RunPreLaunchedAsync(new NriPreLaunchedPlugin(pluginFd, "bad name", "9"), new PluginLog(null, ProtocolLogLevel.Info), PluginMain.DefaultSysfsRoot, CancellationToken.None).WaitAsync(Wait);

        // Nothing was written: a RegisterPlugin with an identity the runtime refuses is pointless.
        Assert.Equal(2, exit);
        Assert.Equal(0, runtimeEnd.Available);
    }

    [Fact]
    public async Task Pre_launched_mode_on_a_descriptor_that_is_not_a_socket_exits_without_crashing()
    {
        string file = Path.Combine(_directory, "not-a-socket");
        await File.WriteAllTextAsync(file, "x");
        Microsoft.Win32.SafeHandles.SafeFileHandle handle = File.OpenHandle(file);
        int fd = (int)handle.DangerousGetHandle();

        // The plugin takes ownership of the fd, as of the one the runtime passes.
        handle.SetHandleAsInvalid();
        var log = new PluginLog(Path.Combine(_directory, "err.log"), ProtocolLogLevel.Info);

        int exit = await PluginMain.RunPreLaunchedAsync(new NriPreLaunchedPlugin(fd, "resmgrlite", "90"), log, PluginMain.DefaultSysfsRoot, CancellationToken.None).WaitAsync(Wait);

        Assert.Equal(1, exit);
        string logged = await File.ReadAllTextAsync(Path.Combine(_directory, "err.log"));
        Assert.Contains("the pre-launched plugin socket is unusable: it is not a connected stream socket", logged, StringComparison.Ordinal);
        MessageText.AssertWords(logged);
    }

    [Fact]
    public async Task Pre_launched_mode_whose_runtime_closed_before_registration_logs_one_line_and_exits_with_one()
    {
        (int runtimeFd, int pluginFd) = SocketPair.CreateDescriptors();
        SocketPair.FromDescriptor(runtimeFd).Dispose();
        string logFile = Path.Combine(_directory, "closed.log");

        int exit = await PluginMain.RunPreLaunchedAsync(new NriPreLaunchedPlugin(pluginFd, "resmgrlite", "90"), new PluginLog(logFile, ProtocolLogLevel.Debug), PluginMain.DefaultSysfsRoot, CancellationToken.None).WaitAsync(Wait);

        string[] lines = await File.ReadAllLinesAsync(logFile);
        Assert.Equal(1, exit);
        Assert.EndsWith(" ERROR the runtime closed the connection before registration", Assert.Single(lines, l => l.Contains(" ERROR ", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => l.Contains("Exception", StringComparison.Ordinal) || l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }
}
