using System.Diagnostics;
using System.Buffers;
using ResMgrLite.Engine;
using ResMgrLite.Host.State;
using ResMgrLite.Nri;
using ResMgrLite.Nri.Api;
using ResMgrLite.Plugin;
using ResMgrLite.TestSupport.FakeNri;
using ResMgrLite.TestSupport.Sysfs;
using Xunit.Abstractions;

namespace ResMgrLite.Tests.Plugin;

/// <summary>
/// The state file is written only when the state changed, and before the answer only when something
/// exclusive changed (docs/state.md, "When it is written"). Machine: 1 socket × 4 cores × 2 threads.
/// </summary>
public sealed class StateWriteTests(ITestOutputHelper output) : IDisposable
{
    private readonly SysfsTree _machine = SysfsFixtures.SingleSocketHt().WriteTree();
    private readonly string _directory = Directory.CreateTempSubdirectory("state-writes-").FullName;

    public void Dispose()
    {
        _machine.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private sealed class NullRuntime : INriRuntime
    {
        public Task<UpdateContainersResult> UpdateContainersAsync(IReadOnlyList<ContainerUpdate> updates) => Task.FromResult(UpdateContainersResult.AllApplied);
    }

    private ResourcePolicyHandler Start(string config)
    {
        var handler = new ResourcePolicyHandler(new PluginLog(Path.Combine(_directory, "plugin.log"), ProtocolLogLevel.Info),
            new HandlerOptions(_machine.SysfsRoot, "test.conf", ConfigFile: null, new System.Collections.Hashtable
            {
                ["RESMGRLITE__STATE__DIRECTORY"] = Path.Combine(_directory, "state"),
            }, _machine.ProcRoot));
        var info = new NriRuntimeInfo("containerd", "1.7.24", "", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), NriApiLevel.V0_6);
        handler.ConfigureAsync(new NriConfigureContext(config, info, new NullRuntime()), CancellationToken.None).AsTask().Wait();
        Assert.NotNull(handler.Management);
        return handler;
    }

    private static int Writes(ResourcePolicyHandler handler) => handler.Management!.State.Writes;

    private string StatePath => Path.Combine(_directory, "state", CheckpointStore.FileName);

    [Fact]
    public async Task Shared_containers_wait_for_a_later_write_and_exclusive_changes_are_written_before_the_answer()
    {
        ResourcePolicyHandler handler = Start(PluginScenario.StaticCpuConfig);
        CreateContainerRequest first = PluginScenario.Burstable("b0", "cb0");
        await handler.CreateContainerAsync(first.Pod, first.Container, CancellationToken.None);
        Assert.Equal(1, Writes(handler)); // no file yet: the first change creates it

        CreateContainerRequest shared = PluginScenario.Burstable("b1", "cb1");
        await handler.CreateContainerAsync(shared.Pod, shared.Container, CancellationToken.None);
        await handler.StateChangeAsync(Event.RunPodSandbox, shared.Pod, null, CancellationToken.None);
        await handler.CreateContainerAsync(shared.Pod, shared.Container, CancellationToken.None); // a retry
        Assert.Equal(1, Writes(handler));

        CreateContainerRequest exclusive = PluginScenario.Guaranteed("g1", "cg1", 2);
        await handler.CreateContainerAsync(exclusive.Pod, exclusive.Container, CancellationToken.None);
        Assert.Equal(2, Writes(handler));
        // The write before the answer holds everything so far, shared containers included.
        Assert.Equal(["cb0", "cb1", "cg1"], new CheckpointStore(Path.GetDirectoryName(StatePath)!).Load().Snapshot!.Containers.Select(c => c.ContainerId).Order().ToArray());

        await handler.StateChangeAsync(Event.RemoveContainer, shared.Pod, shared.Container, CancellationToken.None);
        await handler.StateChangeAsync(Event.RemovePodSandbox, shared.Pod, null, CancellationToken.None);
        await handler.StateChangeAsync(Event.RemovePodSandbox, PluginScenario.Burstable("nothing", "x").Pod, null, CancellationToken.None);
        Assert.Equal(2, Writes(handler));

        // A release waits for the next write: forgetting it can only leak CPUs, never share them.
        await handler.StateChangeAsync(Event.RemoveContainer, exclusive.Pod, exclusive.Container, CancellationToken.None);
        Assert.Equal(2, Writes(handler));
        await handler.StateChangeAsync(Event.RemovePodSandbox, exclusive.Pod, null, CancellationToken.None);
        Assert.Equal(2, Writes(handler));
        Assert.Contains("cg1", new CheckpointStore(Path.GetDirectoryName(StatePath)!).Load().Snapshot!.Containers.Select(c => c.ContainerId));

        // A later shared admission does not pay for it either; the reconcile period writes what waited.
        CreateContainerRequest later = PluginScenario.Burstable("b2", "cb2");
        await handler.CreateContainerAsync(later.Pod, later.Container, CancellationToken.None);
        Assert.Equal(2, Writes(handler));
        await handler.StateChangeAsync(Event.RemoveContainer, later.Pod, later.Container, CancellationToken.None);
        await handler.StateChangeAsync(Event.RemovePodSandbox, later.Pod, null, CancellationToken.None);
        await handler.StateChangeAsync(Event.RemovePodSandbox, first.Pod, null, CancellationToken.None);
        handler.ReconcileStaleState();
        Assert.Equal(3, Writes(handler));
        handler.ReconcileStaleState();
        Assert.Equal(3, Writes(handler));
        Assert.Empty(new CheckpointStore(Path.GetDirectoryName(StatePath)!).Load().Snapshot!.Containers);
    }

    [Fact]
    public async Task An_exclusive_admission_writes_the_releases_that_waited()
    {
        ResourcePolicyHandler handler = Start(PluginScenario.StaticCpuConfig);
        CreateContainerRequest first = PluginScenario.Guaranteed("g1", "cg1", 2);
        await handler.CreateContainerAsync(first.Pod, first.Container, CancellationToken.None);
        await handler.StateChangeAsync(Event.RemoveContainer, first.Pod, first.Container, CancellationToken.None);
        await handler.StateChangeAsync(Event.RemovePodSandbox, first.Pod, null, CancellationToken.None);
        int before = Writes(handler);

        CreateContainerRequest second = PluginScenario.Guaranteed("g2", "cg2", 2);
        await handler.CreateContainerAsync(second.Pod, second.Container, CancellationToken.None);
        Assert.Equal(before + 1, Writes(handler));
        Assert.Equal(["cg2"], new CheckpointStore(Path.GetDirectoryName(StatePath)!).Load().Snapshot!.Containers.Select(c => c.ContainerId).ToArray());
    }

    [Fact]
    public async Task With_the_memory_manager_only_guaranteed_containers_with_blocks_write()
    {
        ResourcePolicyHandler handler = Start("""
            [memoryManager]
            policy = "Static"
            [[memoryManager.reservedMemory]]
            numaNode = 0
            limits = { memory = "100Mi" }
            """);
        await handler.ShutdownAsync(CancellationToken.None);
        Assert.Equal(1, Writes(handler)); // the empty state, once
        for (int i = 0; i < 5; i++)
        {
            CreateContainerRequest burstable = PluginScenario.Burstable($"b{i}", $"cb{i}");
            await handler.CreateContainerAsync(burstable.Pod, burstable.Container, CancellationToken.None);
            await handler.StateChangeAsync(Event.RemoveContainer, burstable.Pod, burstable.Container, CancellationToken.None);
            await handler.StateChangeAsync(Event.RemovePodSandbox, burstable.Pod, null, CancellationToken.None);
        }
        Assert.Equal(1, Writes(handler));
        CreateContainerRequest guaranteed = PluginScenario.Guaranteed("g1", "cg1", 1);
        await handler.CreateContainerAsync(guaranteed.Pod, guaranteed.Container, CancellationToken.None);
        Assert.Equal(2, Writes(handler));
    }

    [Fact]
    public async Task Synchronize_writes_only_what_changed()
    {
        ResourcePolicyHandler handler = Start(PluginScenario.StaticCpuConfig);
        CreateContainerRequest exclusive = PluginScenario.Guaranteed("g1", "cg1", 2);
        await handler.CreateContainerAsync(exclusive.Pod, exclusive.Container, CancellationToken.None);
        int before = Writes(handler);
        exclusive.Container.State = ContainerState.ContainerRunning;
        exclusive.Container.Linux.Resources.Cpu.Cpus = "1,5";
        await handler.SynchronizeAsync([exclusive.Pod], [exclusive.Container], CancellationToken.None);
        Assert.Equal(before, Writes(handler));
        await handler.SynchronizeAsync([], [], CancellationToken.None);
        Assert.Equal(before + 1, Writes(handler));
    }

    [Fact]
    public async Task A_version_compare_is_what_deciding_costs()
    {
        // The alternative to two counter compares: serialize the state and compare bytes with the
        // last written ones. On a busy node (1000 containers) that is this much work per event.
        ResourcePolicyHandler handler = Start(PluginScenario.StaticCpuConfig);
        ResourceEngine engine = handler.Engine!;
        for (int i = 0; i < 1000; i++)
        {
            CreateContainerRequest shared = PluginScenario.Burstable($"b{i}", $"cb{i}");
            await handler.CreateContainerAsync(shared.Pod, shared.Container, CancellationToken.None);
        }
        var buffer = new ArrayBufferWriter<byte>();
        var scratch = new ArrayBufferWriter<byte>();
        CheckpointFormat.Write(engine.Snapshot(), buffer, scratch);
        var clock = Stopwatch.StartNew();
        const int Rounds = 20;
        for (int i = 0; i < Rounds; i++)
        {
            CheckpointFormat.Write(engine.Snapshot(), buffer, scratch);
        }
        double serializeMs = clock.Elapsed.TotalMilliseconds / Rounds;
        output.WriteLine($"serializing 1000 containers to compare bytes: {serializeMs:F3} ms and {buffer.WrittenCount} bytes per event; the version compare: two 64-bit compares");
        Assert.True(buffer.WrittenCount > 100_000);
    }
}
