using ResMgrLite.Nri;
using ResMgrLite.Nri.Api;
using ResMgrLite.Plugin;
using ResMgrLite.TestSupport.FakeNri;
using ResMgrLite.TestSupport.Sysfs;

namespace ResMgrLite.Tests.Plugin;

/// <summary>
/// The plugin's own cpuset updates against the fake runtime: one that fails or is not answered in
/// time is sent again at the next reconcile until the runtime acknowledges it, and an update
/// carried in an event reply is confirmed once. Reconcile period 300 ms, 2 s per update.
/// </summary>
public sealed class CpusetRetryTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private const string Narrowed = "0,2-4,6-7";
    private readonly string _directory = Directory.CreateTempSubdirectory("cpuset-retry-").FullName;
    private readonly SysfsTree _machine = SysfsFixtures.SingleSocketHt().WriteTree();

    public void Dispose()
    {
        _machine.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private string LogFile => Path.Combine(_directory, "plugin.log");

    private sealed class Running(ResourcePolicyHandler handler, FakeNriRuntime runtime, Task<int> plugin, CancellationTokenSource stop, string logFile) : IAsyncDisposable
    {
        public ResourcePolicyHandler Handler => handler;

        public FakeNriRuntime Runtime => runtime;

        private int _read;

        /// <summary>The next UpdateContainers request not read yet, as "container cpus" texts.</summary>
        public async Task<string[]> NextUpdateAsync()
        {
            int seen = _read++;
            while (runtime.UpdateRequests.Count <= seen)
            {
                Assert.True(await runtime.WaitForUpdateAsync(Wait), "no UpdateContainers call arrived:\n" + await File.ReadAllTextAsync(logFile));
            }
            return [.. runtime.UpdateRequests[seen].Update.Select(u => $"{u.ContainerId} {u.Linux.Resources.Cpu.Cpus}")];
        }

        public Task RemoveAsync(CreateContainerRequest created) =>
            runtime.CallAsync("StateChange", new StateChangeEvent { Event = Event.RemoveContainer, Pod = created.Pod, Container = created.Container }, Empty.Parser);

        public async ValueTask DisposeAsync()
        {
            await runtime.DisposeAsync();
            await stop.CancelAsync();
            Assert.Equal(0, await plugin.WaitAsync(Wait));
            stop.Dispose();
        }
    }

    private async Task<Running> StartAsync()
    {
        string config = Path.Combine(_directory, "90-resmgrlite.conf");
        await File.WriteAllTextAsync(config, $"""
            [state]
            directory = "{Path.Combine(_directory, "state")}"
            [cpuManager]
            policy = "static"
            reservedSystemCPUs = "0"
            reconcilePeriod = "300ms"
            [log]
            level = "debug"
            """);
        string socket = Path.Combine(_directory, "nri.sock");
        var log = new PluginLog(LogFile, ProtocolLogLevel.Debug);
        var handler = new ResourcePolicyHandler(log, new HandlerOptions(_machine.SysfsRoot, config, config, new System.Collections.Hashtable()));
        using System.Net.Sockets.Socket listener = FakeNriRuntime.Listen(socket);
        var stop = new CancellationTokenSource();
        Task<int> plugin = NriPluginHost.RunAsync(new NriConnectionOptions { SocketPath = socket, PluginName = "test", PluginIndex = "50" }, handler, log, stop.Token);
        FakeNriRuntime runtime = await FakeNriRuntime.AcceptAsync(listener, CancellationToken.None).WaitAsync(Wait);
        await runtime.HandshakeAsync(new SynchronizeRequest());
        return new Running(handler, runtime, plugin, stop, LogFile);
    }

    /// <summary>A shared container b1 and an exclusive one g1; b1's narrowing (in g1's reply) confirmed by the first reconcile.</summary>
    private static async Task<CreateContainerRequest> ShareAndTakeACoreAsync(Running run)
    {
        await run.Runtime.CallAsync("CreateContainer", PluginScenario.Burstable("b1", "ctr-b1"), CreateContainerResponse.Parser);
        CreateContainerRequest exclusive = PluginScenario.Guaranteed("g1", "ctr-g1", 2);
        CreateContainerResponse created = await run.Runtime.CallAsync("CreateContainer", exclusive, CreateContainerResponse.Parser);
        Assert.Equal(("ctr-b1", Narrowed), (created.Update.Single().ContainerId, created.Update.Single().Linux.Resources.Cpu.Cpus));
        return exclusive;
    }

    [Fact]
    public async Task A_narrowing_in_an_event_reply_is_confirmed_once_and_then_left_alone()
    {
        await using Running run = await StartAsync();
        await ShareAndTakeACoreAsync(run);

        Assert.Equal([$"ctr-b1 {Narrowed}"], await run.NextUpdateAsync());
        await Task.Delay(1000);

        Assert.Single(run.Runtime.UpdateRequests);
        Assert.Equal((1, 0, 0), (run.Handler.ContainerUpdates.Applied, run.Handler.ContainerUpdates.Retried, run.Handler.ContainerUpdates.Failed));
    }

    [Fact]
    public async Task An_update_the_runtime_does_not_answer_in_time_is_sent_again_at_the_next_reconcile_and_lands()
    {
        await using Running run = await StartAsync();
        CreateContainerRequest exclusive = await ShareAndTakeACoreAsync(run);
        Assert.Equal([$"ctr-b1 {Narrowed}"], await run.NextUpdateAsync());

        // Like containerd in the VM: longer than the plugin allows per update.
        run.Runtime.UpdateTimePerContainer = TimeSpan.FromSeconds(3);
        run.Runtime.SlowUpdateCalls = 1;
        await run.RemoveAsync(exclusive);
        Assert.Equal(["ctr-b1 0-7"], await run.NextUpdateAsync());

        Assert.Equal(["ctr-b1 0-7"], await run.NextUpdateAsync());
        await Task.Delay(1000);
        Assert.True(run.Runtime.UpdateRequests.Count == 3, string.Join(" | ", run.Runtime.UpdateRequests.Select(r => string.Join(",", r.Update.Select(u => $"{u.ContainerId} {u.Linux.Resources.Cpu.Cpus}")))) + "\n" + await File.ReadAllTextAsync(LogFile));
        Assert.Equal((2, 1, 1), (run.Handler.ContainerUpdates.Applied, run.Handler.ContainerUpdates.Retried, run.Handler.ContainerUpdates.Failed));
        string log = await File.ReadAllTextAsync(LogFile);
        Assert.Single(log.Split('\n'), l => l.Contains("container ctr-b1: sending cpuset 0-7 again", StringComparison.Ordinal));
        Assert.Contains($"it still runs on {Narrowed}", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_narrowing_that_fails_is_sent_again_every_reconcile_until_it_lands()
    {
        await using Running run = await StartAsync();
        await run.Runtime.CallAsync("CreateContainer", PluginScenario.Burstable("b1", "ctr-b1"), CreateContainerResponse.Parser);
        // Every update fails (1.7.24's answer): the narrowing carried in g1's reply cannot be confirmed.
        run.Runtime.UpdateContainersStatus = 2;
        await run.Runtime.CallAsync("CreateContainer", PluginScenario.Guaranteed("g1", "ctr-g1", 2), CreateContainerResponse.Parser);

        Assert.Equal([$"ctr-b1 {Narrowed}"], await run.NextUpdateAsync());
        Assert.Equal([$"ctr-b1 {Narrowed}"], await run.NextUpdateAsync());
        Assert.Equal([$"ctr-b1 {Narrowed}"], await run.NextUpdateAsync());
        run.Runtime.UpdateContainersStatus = 0;
        Assert.Equal([$"ctr-b1 {Narrowed}"], await run.NextUpdateAsync());
        int landed = run.Runtime.UpdateRequests.Count;
        await Task.Delay(1000);

        Assert.InRange(run.Runtime.UpdateRequests.Count, landed, landed + 1);
        Assert.Equal(1, run.Handler.ContainerUpdates.Applied);
        Assert.True(run.Handler.ContainerUpdates.Retried >= 2, $"retried {run.Handler.ContainerUpdates.Retried}");
        Assert.Equal(run.Handler.ContainerUpdates.Retried, run.Handler.ContainerUpdates.Failed);
        string log = await File.ReadAllTextAsync(LogFile);
        Assert.Single(log.Split('\n'), l => l.Contains($"sending cpuset {Narrowed} again", StringComparison.Ordinal));
        Assert.Single(log.Split('\n'), l => l.Contains("did not land", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Only_the_updates_the_runtime_names_as_failed_are_sent_again()
    {
        await using Running run = await StartAsync();
        await run.Runtime.CallAsync("CreateContainer", PluginScenario.Burstable("b1", "ctr-b1"), CreateContainerResponse.Parser);
        await run.Runtime.CallAsync("CreateContainer", PluginScenario.Burstable("b2", "ctr-b2"), CreateContainerResponse.Parser);
        run.Runtime.FailingContainers = new HashSet<string> { "ctr-b2" };
        await run.Runtime.CallAsync("CreateContainer", PluginScenario.Guaranteed("g1", "ctr-g1", 2), CreateContainerResponse.Parser);

        Assert.Equal([$"ctr-b1 {Narrowed}", $"ctr-b2 {Narrowed}"], (await run.NextUpdateAsync()).Order(StringComparer.Ordinal));
        run.Runtime.FailingContainers = new HashSet<string>();
        Assert.Equal([$"ctr-b2 {Narrowed}"], await run.NextUpdateAsync());
        await Task.Delay(1000);

        Assert.Equal(2, run.Runtime.UpdateRequests.Count);
        Assert.Equal((2, 1, 1), (run.Handler.ContainerUpdates.Applied, run.Handler.ContainerUpdates.Retried, run.Handler.ContainerUpdates.Failed));
    }
}
