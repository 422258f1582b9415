using ResMgrLite.Config.Settings;
using ResMgrLite.Engine;
using ResMgrLite.Engine.Model;
using ResMgrLite.Nri;
using ResMgrLite.Nri.Api;

namespace ResMgrLite.Plugin;

/// <summary>
/// What resource management runs on once Configure started it — the engine, the effects that carry
/// its decisions to the runtime and the host, the configuration in force — and the operations every
/// event shares: admit a container, release a container or a pod, correct cpusets.
/// </summary>
internal sealed class ResourceManagement(
    ResourceEngine engine,
    PodTracker pods,
    AdjustmentBuilder adjustments,
    PodCgroupEffects podCgroups,
    StateKeeper state,
    StaleStateReconciler reconciler,
    AllocationFeed allocations,
    PluginLog log)
{
    public ResourceEngine Engine => engine;

    public PodTracker Pods => pods;

    public AdjustmentBuilder Adjustments => adjustments;

    public CpusetLedger Ledger => adjustments.Ledger;

    public PodCgroupEffects PodCgroups => podCgroups;

    public StateKeeper State => state;

    public StaleStateReconciler Reconciler => reconciler;

    public AllocationFeed Allocations => allocations;

    /// <summary>Told about every admission the engine was asked for, admitted or refused (the metrics).</summary>
    public Observability.IAdmissionObserver? Admissions { get; set; }

    /// <summary>In-place pod resize: decisions carried out in order, deferred ones retried.</summary>
    public PodResizeEffects Resizes { get; } = new(log);

    /// <summary>The configuration in force (a reload changes only what may change live).</summary>
    public required ResMgrSettings Settings { get; set; }

    /// <summary>Maps the NRI objects and asks the engine; the pod model keeps the container only when admitted.</summary>
    public bool TryAdmit(PodSandbox sandbox, Container container, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TrackedPod? pod, out ContainerDecision decision, out string? error)
    {
        decision = default;
        pod = null;
        ContainerSpec spec;
        bool added;
        try
        {
            (pod, spec, added) = pods.Prepare(sandbox, container, out string? problem);
            if (problem is not null)
            {
                log.Write(ProtocolLogLevel.Warning, $"pod {sandbox.Namespace}/{sandbox.Name}: {problem}");
            }
        }
        catch (FormatException e)
        {
            error = $"pod {sandbox.Namespace}/{sandbox.Name}: {e.Message}";
            return false;
        }
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        bool admitted = engine.TryAdmitContainer(pod.Spec, spec, container.Id, out decision, out error);
        Admissions?.OnAdmission(engine, pod.Spec, spec, decision, error, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        if (!admitted)
        {
            if (added)
            {
                PodTracker.Unprepare(pod, spec);
            }
            return false;
        }
        pods.Track(container.Id, pod, spec);
        return true;
    }

    /// <summary>The model of a container the engine knows (tracked, or restored from the state file).</summary>
    public bool TryModel(PodSandbox sandbox, Container container,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PodSpec? pod, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ContainerSpec? spec)
    {
        if (pods.Find(container.Id) is { } tracked)
        {
            (pod, spec) = (tracked.Pod.Spec, tracked.Spec);
            return true;
        }
        (pod, spec) = (null, null);
        if (!engine.TryFindContainer(container.Id, out _))
        {
            return false;
        }
        try
        {
            pod = pods.PodFor(sandbox, container).Spec;
            spec = NriModelMapper.ToContainerSpec(sandbox, container, pod.Qos, pods.MemoryCapacityBytes, out _);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// Releases a container by id (tracked, or known only from the state file); adds the updates of
    /// the containers whose pool widened when no reconcile pass runs (<see cref="AddWidening"/>).
    /// <paramref name="announce"/> is false when undoing an admission that was never acknowledged.
    /// </summary>
    public void ReleaseContainer(string containerId, List<ContainerUpdate> updates, bool announce = true)
    {
        Ledger.Forget(containerId);
        ContainerKey key;
        if (pods.Untrack(containerId) is { } tracked)
        {
            key = tracked.Key;
        }
        else if (!engine.TryFindContainer(containerId, out key))
        {
            return;
        }
        ReleaseDecision released = engine.ReleaseContainer(key, containerId);
        AddWidening(released.Effects, updates);
        if (released.Released && announce)
        {
            allocations.Publish(new AllocationChange(AllocationChangeKind.ContainerReleased, key.PodUid, key.Name, containerId), engine);
        }
    }

    /// <summary>Releases everything a pod holds in every manager; adds the pool updates when <paramref name="updates"/> is given and no reconcile pass runs.</summary>
    public void ReleasePod(string podUid, string what, List<ContainerUpdate>? updates)
    {
        var ids = new List<string>();
        engine.CollectContainerIds(podUid, ids);
        foreach (string id in ids)
        {
            Ledger.Forget(id);
        }
        ReleaseDecision released = engine.ReleasePod(podUid);
        if (updates is not null)
        {
            AddWidening(released.Effects, updates);
        }
        podCgroups.Apply(engine, released.Effects.PodCgroupWrites, _ => null, $"{what} removal");
        podCgroups.ForgetPod(podUid);
        Resizes.ForgetPod(podUid);
        if (released.Released)
        {
            allocations.Publish(new AllocationChange(AllocationChangeKind.PodReleased, podUid), engine);
        }
    }

    /// <summary>
    /// A release only widens pools. Like the kubelet, which pushes the shared pool to running
    /// containers in its reconcile loop, the widening waits for the reconcile pass, where
    /// <see cref="AddCpusetCorrections"/> sends each container its pool once however many releases
    /// came before (docs/kubelet-rules.md §3.1). Narrowing never waits: an admission sends every
    /// member of a changed pool whose cpuset differs the pool as it is then, so a container whose
    /// widening was pending gets the current pool, never one with a CPU handed out meanwhile.
    /// Without a reconcile pass (a period of zero) the widening goes out at once.
    /// </summary>
    private void AddWidening(EngineEffects effects, List<ContainerUpdate> updates)
    {
        if (!reconciler.Runs)
        {
            adjustments.AddPoolUpdates(effects, updates);
        }
    }

    /// <summary>
    /// Cpuset updates for every managed container whose cpuset the runtime has not acknowledged and
    /// that is not on its way in an UpdateContainers call: drift, updates that failed or timed out,
    /// and those handed over in event replies (sent again once so the runtime acknowledges them).
    /// </summary>
    public void AddCpusetCorrections(List<ContainerUpdate> updates, HashSet<string>? skip)
    {
        if (engine.Cpu is null)
        {
            return;
        }
        var texts = new CpusetTexts();
        foreach ((ContainerKey key, string id) in engine.ListContainers())
        {
            CpuSet cpus = engine.EffectiveCpus(key);
            if (id.Length == 0 || cpus.IsEmpty || skip?.Contains(id) == true)
            {
                continue;
            }
            string text = texts.Of(cpus);
            if (!Ledger.IsSettled(id, text))
            {
                updates.Add(adjustments.CpusetUpdate(id, text));
            }
        }
    }
}
