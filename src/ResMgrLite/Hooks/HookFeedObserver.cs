using ResMgrLite.Engine;
using ResMgrLite.Engine.Model;
using ResMgrLite.Nri;
using ResMgrLite.Plugin;
using FeedChange = ResMgrLite.Plugin.AllocationChange;

namespace ResMgrLite.Hooks;

/// <summary>
/// Hands the plugin's allocation changes (<see cref="AllocationFeed"/>) to the <see cref="HookRunner"/>:
/// turns each into what a hook sees (names, the container's CPUs and nodes, the complete pools) and
/// applies <c>hooks.directory</c> and <c>hooks.timeout</c> from the configuration in force.
/// </summary>
/// <remarks>
/// The feed calls under the handler's lock, before the answer leaves, so nothing here waits: the
/// runner only stores the change. An admission becomes visible to the hooks when the runtime starts
/// the container (<see cref="AllocationChangeKind.ContainerStarted"/>), i.e. once it created the
/// container with the CPUs it was given. A start replays the current state once: the state file's
/// allocations wait for the runtime's Synchronize (which replaces them with the reconciled state), or
/// run after <see cref="HookRunner.AcknowledgementWait"/> when the runtime sends none (containerd 1.7
/// with a pre-launched plugin).
/// </remarks>
internal sealed class HookFeedObserver : IAllocationObserver, IDisposable
{
    private readonly HookRunner _runner;
    private readonly Func<ResourceManagement?> _management;

    // Pods with an admitted container, by uid: a pod removal arrives after the tracker forgot the pod.
    private readonly Dictionary<string, PodSpec> _pods = new(StringComparer.Ordinal);

    public HookFeedObserver(HookRunner runner, Func<ResourceManagement?> management)
    {
        _runner = runner;
        _management = management;
    }

    /// <summary>Runs by hook and result (the metrics endpoint reads them; see <see cref="HookCounters"/>).</summary>
    public HookCounters Counters => _runner.Counters;

    /// <summary>Subscribes a runner for <paramref name="handler"/>'s changes; dispose it when the plugin ends.</summary>
    public static HookFeedObserver Attach(ResourcePolicyHandler handler, IProtocolLog log)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var observer = new HookFeedObserver(new HookRunner(log, Environment.GetEnvironmentVariables()), () => handler.Management);
        handler.Allocations.Subscribe(observer);
        return observer;
    }

    public void OnAllocationChanged(in FeedChange change, ResourceEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ResourceManagement? management = _management();
        if (management is not null)
        {
            // A reload changes them live (ConfigReload); applying them here costs a compare.
            _runner.Configure(management.Settings.HooksDirectory, management.Settings.HooksTimeout);
            if (management.Settings.HooksDirectory.Length == 0)
            {
                // Hooks off: nothing to prepare. Turning them on takes a Configure, and the
                // Synchronize after it brings the state.
                return;
            }
        }
        PoolsOf(engine, out CpuSet shared, out CpuSet exclusive);
        switch (change.Kind)
        {
            case AllocationChangeKind.ContainerStarted:
                _runner.Acknowledge(change.ContainerId);
                break;
            case AllocationChangeKind.ContainerAdmitted:
                if (management?.Pods.FindPod(change.PodUid)?.Spec is { } pod)
                {
                    _pods[change.PodUid] = pod;
                }
                ContainerSettings settings = change.Settings;
                _runner.NotifyUnacknowledged(
                    About(AllocationEvent.ContainerAdmitted, change, settings.ManagesCpu ? settings.Cpus : shared, settings.ManagesMemory ? settings.Mems : 0, shared, exclusive),
                    change.ContainerId);
                break;
            case AllocationChangeKind.ContainerReleased:
                _runner.Notify(About(AllocationEvent.ContainerReleased, change, CpuSet.Empty, 0, shared, exclusive));
                break;
            case AllocationChangeKind.PodReleased:
                _runner.Notify(About(AllocationEvent.ContainerReleased, change, CpuSet.Empty, 0, shared, exclusive));
                _pods.Remove(change.PodUid);
                break;
            case AllocationChangeKind.Restored:
                _runner.NotifyUnacknowledged(AllocationChange.OfPools(AllocationEvent.Replay, shared, exclusive), awaitedContainerId: "");
                break;
            case AllocationChangeKind.Synchronized:
                _runner.Notify(AllocationChange.OfPools(AllocationEvent.Replay, shared, exclusive));
                break;
        }
    }

    /// <summary>Waits until every hook has seen the newest change, including one still waiting for its acknowledgment (tests).</summary>
    public bool WaitForIdle(TimeSpan timeout) => _runner.WaitForIdle(timeout);

    public void Dispose() => _runner.Dispose();

    private AllocationChange About(AllocationEvent value, in FeedChange change, CpuSet cpus, ulong numaNodes, CpuSet shared, CpuSet exclusive)
    {
        PodSpec? pod = _pods.GetValueOrDefault(change.PodUid);
        return new AllocationChange(value, pod?.Namespace ?? "", pod?.Name ?? "", change.PodUid, change.ContainerName, change.ContainerId,
            cpus, numaNodes, shared, exclusive);
    }

    /// <summary>The shared pool, and every CPU taken from it (exclusive containers, pod budgets); reserved CPUs are in neither under strict reservation.</summary>
    private static void PoolsOf(ResourceEngine engine, out CpuSet shared, out CpuSet exclusive)
    {
        CpuSet all = engine.Topology.AllCpus;
        if (engine.Cpu is { } cpu)
        {
            shared = cpu.DefaultSet;
            exclusive = all.Except(shared).Except(cpu.Reserved);
        }
        else
        {
            shared = all;
            exclusive = CpuSet.Empty;
        }
    }
}
