using ResMgrLite.Host.State;
using ResMgrLite.Nri;
using ResMgrLite.Nri.Api;
using ResMgrLite.Plugin;
using ResMgrLite.TestSupport.FakeNri;
using ResMgrLite.TestSupport.Sysfs;

namespace ResMgrLite.Tests.Plugin;

/// <summary>
/// In-process restarts: the plugin restarted on the same state directory, with and without
/// Synchronize (containerd 1.7.24 sends none to pre-launched plugins), and with untrusted files.
/// Machine: 1 socket × 4 cores × 2 threads (siblings c, c+4), CPU 0 reserved.
/// </summary>
public sealed class PluginStateTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly string _directory = Directory.CreateTempSubdirectory("plugin-state-").FullName;
    private readonly SysfsTree _machine = SysfsFixtures.SingleSocketHt().WriteTree();
    private int _sessions;

    public void Dispose()
    {
        _machine.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private string StatePath => Path.Combine(_directory, CheckpointStore.FileName);

    /// <summary>One plugin process lifetime: start, let <paramref name="session"/> talk to it, stop; returns its log.</summary>
    private async Task<string> RunPluginAsync(Func<FakeNriRuntime, Task> session, string? config = null)
    {
        int n = ++_sessions;
        string socket = Path.Combine(_directory, $"nri-{n}.sock");
        string logFile = Path.Combine(_directory, $"plugin-{n}.log");
        string configFile = Path.Combine(_directory, $"config-{n}.conf");
        await File.WriteAllTextAsync(configFile, config ?? PluginScenario.StaticCpuConfigIn(_directory));
        using System.Net.Sockets.Socket listener = FakeNriRuntime.Listen(socket);
        using var stop = new CancellationTokenSource();
        Task<int> plugin = PluginMain.RunExternalAsync(socket, "test", "50", logFile, ProtocolLogLevel.Info, stop.Token, configFile, _machine.SysfsRoot);
        await using (FakeNriRuntime runtime = await FakeNriRuntime.AcceptAsync(listener, CancellationToken.None).WaitAsync(Wait))
        {
            await runtime.Registered.WaitAsync(Wait);
            await runtime.ConfigureAsync();
            await session(runtime);
        }
        await stop.CancelAsync();
        Assert.Equal(0, await plugin.WaitAsync(Wait));
        return await File.ReadAllTextAsync(logFile);
    }

    private static Task<CreateContainerResponse> CreateAsync(FakeNriRuntime runtime, CreateContainerRequest request) =>
        runtime.CallAsync("CreateContainer", request, CreateContainerResponse.Parser);

    private async Task FirstLifeAsync()
    {
        await RunPluginAsync(async runtime =>
        {
            Assert.Equal("0-7", (await CreateAsync(runtime, PluginScenario.Burstable("b1", "ctr-b1"))).Adjust.Linux.Resources.Cpu.Cpus);
            Assert.Equal("1,5", (await CreateAsync(runtime, PluginScenario.Guaranteed("g1", "ctr-g1", 2))).Adjust.Linux.Resources.Cpu.Cpus);
        });
    }

    [Fact]
    public async Task Without_synchronize_the_state_file_keeps_allocations_and_updates_restored_containers()
    {
        await FirstLifeAsync();

        string log = await RunPluginAsync(async runtime =>
        {
            // g1 still holds 1,5: the next Guaranteed container gets another core, and the
            // restored Burstable container (known only from the file) is moved off it.
            CreateContainerResponse g2 = await CreateAsync(runtime, PluginScenario.Guaranteed("g2", "ctr-g2", 2));
            Assert.Equal("2,6", g2.Adjust.Linux.Resources.Cpu.Cpus);
            ContainerUpdate shrink = Assert.Single(g2.Update);
            Assert.Equal(("ctr-b1", "0,3-4,7"), (shrink.ContainerId, shrink.Linux.Resources.Cpu.Cpus));

            // Removing a container this process never saw an event for still frees its CPUs: the
            // restored container gets the widened pool at the next reconcile pass (every second here).
            await runtime.CallAsync("StateChange", new StateChangeEvent { Event = Event.RemoveContainer, Pod = PluginScenario.Guaranteed("g1", "ctr-g1", 2).Pod, Container = PluginScenario.Guaranteed("g1", "ctr-g1", 2).Container }, Empty.Parser);
            ContainerUpdate? widen = null;
            while (widen?.Linux.Resources.Cpu.Cpus != "0-1,3-5,7" && await runtime.WaitForUpdateAsync(Wait))
            {
                widen = runtime.UpdateRequests[^1].Update.FirstOrDefault(u => u.ContainerId == "ctr-b1") ?? widen;
            }
            Assert.Equal("0-1,3-5,7", widen?.Linux.Resources.Cpu.Cpus);
        }, PluginScenario.StaticCpuConfigIn(_directory).Replace("[cpuManager]", "[cpuManager]\nreconcilePeriod = \"1s\"", StringComparison.Ordinal));

        Assert.Contains("state: restored 2 container(s)", log, StringComparison.Ordinal);
        CheckpointLoadResult saved = new CheckpointStore(_directory).Load();
        Assert.Equal(["ctr-b1", "ctr-g2"], saved.Snapshot!.Containers.Select(c => c.ContainerId).Order().ToArray());
    }

    [Fact]
    public async Task Synchronize_forgets_departed_containers_and_corrects_survivors()
    {
        await FirstLifeAsync();

        await RunPluginAsync(async runtime =>
        {
            // g1 is gone; b1 survived but still runs where it was last put (without 1,5).
            CreateContainerRequest b1 = PluginScenario.Burstable("b1", "ctr-b1");
            b1.Container.State = ContainerState.ContainerRunning;
            b1.Container.Linux.Resources.Cpu.Cpus = "0,2-4,6-7";
            var request = new SynchronizeRequest { Pods = { b1.Pod }, Containers = { b1.Container } };
            SynchronizeResponse synced = await runtime.CallAsync("Synchronize", request, SynchronizeResponse.Parser);
            ContainerUpdate update = Assert.Single(synced.Update);
            Assert.Equal(("ctr-b1", "0-7"), (update.ContainerId, update.Linux.Resources.Cpu.Cpus));
        });

        CheckpointLoadResult saved = new CheckpointStore(_directory).Load();
        Assert.Equal("ctr-b1", Assert.Single(saved.Snapshot!.Containers).ContainerId);
        Assert.Equal("0-7", saved.Snapshot.DefaultCpus.ToString());
    }

    [Fact]
    public async Task A_corrupted_state_file_gives_one_error_naming_the_file_and_turns_management_off()
    {
        await FirstLifeAsync();
        // A damaged cpuset that still parses: only the checksum can tell.
        string text = await File.ReadAllTextAsync(StatePath);
        Assert.Contains("\"cpus\":\"1,5\"", text, StringComparison.Ordinal);
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(text.Replace("\"cpus\":\"1,5\"", "\"cpus\":\"1,4\"", StringComparison.Ordinal));
        await File.WriteAllBytesAsync(StatePath, bytes);

        string log = await RunPluginAsync(async runtime =>
        {
            CreateContainerResponse g2 = await CreateAsync(runtime, PluginScenario.Guaranteed("g2", "ctr-g2", 2));
            Assert.Null(g2.Adjust?.Linux?.Resources?.Cpu);
        });

        string error = Assert.Single(log.Split('\n'), line => line.Contains(" ERROR ", StringComparison.Ordinal));
        Assert.Contains($"{StatePath}: checksum mismatch (stored fnv1a64:", error, StringComparison.Ordinal);
        Assert.Contains($"Resource management is OFF", error, StringComparison.Ordinal);
        // Never overwritten: the operator decides.
        Assert.Equal(bytes, await File.ReadAllBytesAsync(StatePath));
    }

    [Fact]
    public async Task Changed_reserved_cpus_are_refused_like_the_kubelet_does()
    {
        await FirstLifeAsync();
        string config = PluginScenario.StaticCpuConfigIn(_directory).Replace("reservedSystemCPUs = \"0\"", "reservedSystemCPUs = \"0,4\"", StringComparison.Ordinal);

        string log = await RunPluginAsync(runtime => Task.CompletedTask, config);

        string error = Assert.Single(log.Split('\n'), line => line.Contains(" ERROR ", StringComparison.Ordinal));
        Assert.Contains($"{StatePath}: state does not match this machine or configuration: reserved CPUs changed: the state was written with \"0\", the configuration reserves \"0,4\"", error, StringComparison.Ordinal);
    }
}
