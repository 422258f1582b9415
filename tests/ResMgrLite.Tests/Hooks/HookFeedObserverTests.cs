using System.Collections;
using ResMgrLite.Hooks;
using ResMgrLite.Nri;
using ResMgrLite.Nri.Api;
using ResMgrLite.Plugin;
using ResMgrLite.TestSupport.FakeNri;
using ResMgrLite.TestSupport.Sysfs;
using ResMgrLite.Tests.Plugin;

namespace ResMgrLite.Tests.Hooks;

/// <summary>
/// The plugin's handler with the hook runner subscribed to its allocation feed, on a synthetic
/// 1 socket × 4 cores × 2 threads machine (CPU 0 reserved): hooks.directory and hooks.timeout come
/// from the configuration, an admission reaches the hooks only once the runtime started the
/// container, releases and restarts (replay) reach them with the complete pools.
/// </summary>
public sealed class HookFeedObserverTests : IDisposable
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(20);

    private readonly string _root = Directory.CreateTempSubdirectory("hook-feed-").FullName;
    private readonly string _hooks;
    private readonly string _out;
    private readonly SysfsTree _machine;
    private readonly CollectingLog _log = new();
    private readonly List<HookFeedObserver> _observers = [];

    public HookFeedObserverTests()
    {
        _hooks = Path.Combine(_root, "hooks");
        _out = Path.Combine(_root, "out");
        Directory.CreateDirectory(_hooks, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(_out);
        _machine = new SysfsMachineBuilder().Sockets(1).CoresPerSocket(4).ThreadsPerCore(2).Build().WriteTree();
        // One line per run: event, pod, container, its CPUs, the exclusive CPUs, the shared pool.
        Hook("10-record", """echo "$RESMGRLITE_EVENT $RESMGRLITE_POD $RESMGRLITE_CONTAINER cpus=$RESMGRLITE_CONTAINER_CPUS exclusive=$RESMGRLITE_EXCLUSIVE_CPUS shared=$RESMGRLITE_SHARED_CPUS" >> $OUT/runs""");
    }

    public void Dispose()
    {
        foreach (HookFeedObserver observer in _observers)
        {
            observer.Dispose();
        }
        _machine.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private void Hook(string name, string body)
    {
        string path = Path.Combine(_hooks, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body.Replace("$OUT", _out, StringComparison.Ordinal) + "\n");
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
    }

    private string Config(string timeout = "10s") =>
        PluginScenario.StaticCpuConfigIn(Path.Combine(_root, "state")) + $"\n[hooks]\ndirectory = \"{_hooks}\"\ntimeout = \"{timeout}\"\n";

    private (ResourcePolicyHandler Handler, HookFeedObserver Hooks) Start(string config)
    {
        var handler = new ResourcePolicyHandler(new PluginLog(Path.Combine(_root, "plugin.log"), ProtocolLogLevel.Debug),
            new HandlerOptions(_machine.SysfsRoot, "test.conf", ConfigFile: null, new Hashtable(), _machine.ProcRoot));
        // The test's own uid instead of root: the hooks here belong to the test's user.
        var hooks = new HookFeedObserver(new HookRunner(_log, new Hashtable(), CurrentUser.Id), () => handler.Management);
        _observers.Add(hooks);
        handler.Allocations.Subscribe(hooks);
        var info = new NriRuntimeInfo("containerd", "2.1.9", "", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), NriApiLevel.V0_6);
        handler.ConfigureAsync(new NriConfigureContext(config, info, new NoUpdates()), CancellationToken.None).AsTask().Wait();
        return (handler, hooks);
    }

    private sealed class NoUpdates : INriRuntime
    {
        public Task<bool> UpdateContainersAsync(IReadOnlyList<ContainerUpdate> updates) => Task.FromResult(true);
    }

    private string[] Runs() => File.Exists(Path.Combine(_out, "runs")) ? File.ReadAllLines(Path.Combine(_out, "runs")) : [];

    private static bool WaitIdle(HookFeedObserver hooks) => hooks.WaitForIdle(Idle);

    [Fact]
    public async Task An_admission_reaches_the_hooks_once_the_runtime_started_the_container()
    {
        var (handler, hooks) = Start(Config());
        // containerd 2.x synchronizes right after Configure: the start replays the (empty) state.
        await handler.SynchronizeAsync([], [], CancellationToken.None);
        Assert.True(WaitIdle(hooks));
        Assert.Equal(["replay   cpus= exclusive= shared=0-7"], Runs());

        CreateContainerRequest pinned = PluginScenario.Guaranteed("g1", "cg1", 2);
        await handler.CreateContainerAsync(pinned.Pod, pinned.Container, CancellationToken.None);
        // Told, not yet confirmed: nothing runs, however long the runner is given.
        Thread.Sleep(500);
        Assert.Single(Runs());

        await handler.StateChangeAsync(Event.StartContainer, pinned.Pod, pinned.Container, CancellationToken.None);
        Assert.True(WaitIdle(hooks));
        Assert.Equal("container-admitted default/pod-g1 app cpus=1,5 exclusive=1,5 shared=0,2-4,6-7", Runs()[^1]);

        await handler.StateChangeAsync(Event.RemoveContainer, pinned.Pod, pinned.Container, CancellationToken.None);
        Assert.True(WaitIdle(hooks));
        Assert.Equal("container-released default/pod-g1 app cpus= exclusive= shared=0-7", Runs()[^1]);
        Assert.Equal(3, hooks.Counters.Snapshot().Single(c => c.Hook == "10-record" && c.Result == HookResult.Succeeded).Runs);
    }

    [Fact]
    public async Task Without_a_start_or_a_synchronize_the_hooks_still_run_after_the_acknowledgement_wait()
    {
        var (handler, hooks) = Start(Config());
        CreateContainerRequest pinned = PluginScenario.Guaranteed("g1", "cg1", 2);
        await handler.CreateContainerAsync(pinned.Pod, pinned.Container, CancellationToken.None);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.True(SpinWait.SpinUntil(() => Runs().Length > 0, Idle));
        clock.Stop();
        Assert.True(clock.Elapsed >= HookRunner.AcknowledgementWait - TimeSpan.FromMilliseconds(600), $"ran after {clock.Elapsed}");
        Assert.True(WaitIdle(hooks));
        // The restored (empty) state was replaced by the newer admission before anything ran.
        Assert.Equal(["container-admitted default/pod-g1 app cpus=1,5 exclusive=1,5 shared=0,2-4,6-7"], Runs());
    }

    [Fact]
    public void Without_a_synchronize_the_start_replays_after_the_acknowledgement_wait()
    {
        // containerd 1.7 never synchronizes a pre-launched plugin.
        var (_, hooks) = Start(Config());
        Assert.True(SpinWait.SpinUntil(() => Runs().Length > 0, Idle));
        Assert.True(WaitIdle(hooks));
        Assert.Equal(["replay   cpus= exclusive= shared=0-7"], Runs());
    }

    [Fact]
    public async Task A_restart_replays_the_state_file_s_allocations_once()
    {
        var (first, firstHooks) = Start(Config());
        CreateContainerRequest pinned = PluginScenario.Guaranteed("g1", "cg1", 2);
        await first.CreateContainerAsync(pinned.Pod, pinned.Container, CancellationToken.None);
        await first.StateChangeAsync(Event.StartContainer, pinned.Pod, pinned.Container, CancellationToken.None);
        Assert.True(WaitIdle(firstHooks));
        File.Delete(Path.Combine(_out, "runs"));

        var (second, secondHooks) = Start(Config());
        await second.SynchronizeAsync([pinned.Pod], [pinned.Container], CancellationToken.None);
        Assert.True(WaitIdle(secondHooks));
        Thread.Sleep(HookRunner.AcknowledgementWait);
        Assert.True(WaitIdle(secondHooks));
        Assert.Equal(["replay   cpus= exclusive=1,5 shared=0,2-4,6-7"], Runs());
    }

    [Fact]
    public async Task Hooks_timeout_from_the_configuration_kills_a_hook_that_overruns_it()
    {
        Hook("20-stuck", "sleep 30");
        var (handler, hooks) = Start(Config(timeout: "300ms"));
        var counted = new System.Collections.Concurrent.ConcurrentQueue<string>();
        hooks.Counters.RunCounted = (hook, result) => counted.Enqueue($"{hook} {HookResultNames.Of(result)}");
        await handler.SynchronizeAsync([], [], CancellationToken.None);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.True(WaitIdle(hooks));
        clock.Stop();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the round took {clock.Elapsed}");
        Assert.Equal(1, hooks.Counters.Snapshot().Single(c => c.Hook == "20-stuck").Runs);
        Assert.Equal(HookResult.TimedOut, hooks.Counters.Snapshot().Single(c => c.Hook == "20-stuck").Result);
        Assert.Contains(_log.Entries, e => e.Message.Contains("hooks.timeout (300ms)", StringComparison.Ordinal));
        Assert.Equal(["10-record succeeded", "20-stuck timed-out"], counted);
    }

    [Fact]
    public async Task Hooks_directory_refused_for_its_permissions_says_why_and_runs_nothing()
    {
        File.SetUnixFileMode(_hooks, (UnixFileMode)0b111_111_111);
        var (handler, hooks) = Start(Config());
        await handler.SynchronizeAsync([], [], CancellationToken.None);
        Assert.True(WaitIdle(hooks));
        Assert.Empty(Runs());
        Assert.Contains(_log.Entries, e => e.Level == ProtocolLogLevel.Warning
            && e.Message.Contains($"hooks: {_hooks} is refused", StringComparison.Ordinal)
            && e.Message.Contains("writable", StringComparison.Ordinal));
    }
}
