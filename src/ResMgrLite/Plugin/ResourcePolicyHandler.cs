using ResMgrLite.Config.Reload;
using ResMgrLite.Engine;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.Resize;
using ResMgrLite.Engine.TopologyManagement;
using ResMgrLite.Nri;
using ResMgrLite.Nri.Api;

namespace ResMgrLite.Plugin;

/// <summary>
/// The NRI event handler: maps the NRI objects to the model, asks the engine, and hands the decision
/// to its effects — the adjustment and updates (<see cref="AdjustmentBuilder"/>), the pod and
/// QoS-level cgroups (<see cref="PodCgroupEffects"/>), the state file (<see cref="StateKeeper"/>)
/// and the subscribers of <see cref="Allocations"/>.
/// </summary>
/// <remarks>
/// Fail closed: a container the engine refuses fails CreateContainer with the engine's reason, and
/// no container is ever handed an empty cpuset. Events are serialized by the runtime; a lock still
/// guards the state because the reconcile timer works on it too.
/// </remarks>
internal sealed class ResourcePolicyHandler(PluginLog log, HandlerOptions options) : INriEventHandler
{
    public const NriEventMask Subscribed =
        NriEventMask.RunPodSandbox | NriEventMask.StopPodSandbox | NriEventMask.RemovePodSandbox
        | NriEventMask.CreateContainer | NriEventMask.StartContainer | NriEventMask.UpdateContainer
        | NriEventMask.StopContainer | NriEventMask.RemoveContainer | NriEventMask.UpdatePodSandbox | NriEventMask.PostUpdatePodSandbox;

    private readonly Lock _lock = new();
    private ResourceManagement? _managed;
    private readonly ContainerUpdateSender _updates = new(log, options.Observability?.Metrics);

    /// <summary>Whether resource management is on, and if not why (for metrics and commands).</summary>
    public ResourceManagementStatus Status { get; } = new(log);

    /// <summary>The engine, once Configure started it (tests read it).</summary>
    public ResourceEngine? Engine => _managed?.Engine;

    /// <summary>Resource management once Configure started it (tests read it).</summary>
    internal ResourceManagement? Management => _managed;

    /// <summary>The plugin's own container updates by result (applied, retried, failed), for metrics.</summary>
    public ContainerUpdateCounters ContainerUpdates => _updates.Counters;

    /// <summary>Every acknowledged allocation change, for hooks, metrics and the topology file.</summary>
    public AllocationFeed Allocations { get; } = new() { Failed = (observer, e) => log.Write(ProtocolLogLevel.Error, $"allocation observer {observer.GetType().Name} failed: {e.Message}") };

    /// <summary>Events carry only what a decision reads (the project's annotations, no labels, environment or mounts).</summary>
    public ReadOnlySpan<byte> EventAnnotationPrefix => SandboxEssentials.Utf8AnnotationPrefix;

    public ValueTask<NriEventMask> ConfigureAsync(NriConfigureContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        lock (_lock)
        {
            Configure(context.Config);
            _updates.Use(context.Updates, _managed?.Ledger);
            // The log target is settled now (the configured file, or the default one).
            log.Release();
        }
        options.StartupFinished?.Invoke();
        return ValueTask.FromResult(Subscribed);
    }

    private void Configure(string configText)
    {
        if (ManagementStartup.LoadConfiguration(options, configText, log, Status, running: _managed is not null) is not { } loaded)
        {
            return;
        }
        if (_managed is { } running)
        {
            // The kubelet's rule: policy changes need a drained node; only safe keys change live.
            ReloadResult reload = ConfigReload.Compare(running.Settings, loaded.Settings);
            foreach (RefusedChange refused in reload.Refused)
            {
                log.Write(ProtocolLogLevel.Warning, $"configuration change refused: {refused}");
            }
            running.Settings = reload.Effective;
            ManagementStartup.ApplyOperatorSettings(options, log, running.Settings, loaded.Machine);
            return;
        }
        _managed = ManagementStartup.TryStart(options, log, Status, loaded.Machine, loaded.Settings, Allocations);
        _managed?.Allocations.Publish(new AllocationChange(AllocationChangeKind.Restored), _managed.Engine);
        _managed?.Reconciler.Start(loaded.Settings.CpuManagerReconcilePeriod, RunReconcilePass);
    }

    // ---- events ---------------------------------------------------------------------------------

    public ValueTask<CreateContainerResult> CreateContainerAsync(PodSandbox pod, Container container, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        lock (_lock)
        {
            if (_managed is not { } m || NriModelMapper.IsOptedOut(pod))
            {
                return ValueTask.FromResult(CreateContainerResult.NoChange);
            }
            long exclusiveBefore = m.Engine.ExclusiveVersion;
            if (!m.TryAdmit(pod, container, out TrackedPod? tracked, out ContainerDecision decision, out string? error))
            {
                log.Write(ProtocolLogLevel.Warning, $"create container {Describe(pod, container)} refused: {error}");
                throw new InvalidOperationException(error);
            }
            if (decision.Settings.IsEmpty)
            {
                return ValueTask.FromResult(CreateContainerResult.NoChange);
            }
            if (!m.State.PersistIfAdmissionExclusive(m.Engine, exclusiveBefore))
            {
                // Like the kubelet (which panics when it cannot checkpoint): an allocation a restart
                // would forget is not handed out. Undo it and fail the container.
                m.ReleaseContainer(container.Id, [], announce: false);
                m.PodCgroups.MarkParentsUnknown();
                m.State.PersistIfExclusiveChanged(m.Engine);
                error = $"the state file {m.State.FilePath} cannot be written, so the allocation would not survive a restart";
                log.Write(ProtocolLogLevel.Error, $"create container {Describe(pod, container)} refused: {error}");
                throw new InvalidOperationException(error);
            }
            var updates = new List<ContainerUpdate>();
            m.Adjustments.AddPoolUpdates(decision.Effects, updates);
            m.PodCgroups.Apply(m.Engine, decision.Effects.PodCgroupWrites, _ => tracked.CgroupPath, $"pod {tracked}");
            ContainerAdjustment adjustment = m.Adjustments.Adjustment(container.Id, decision.Settings);
            m.Allocations.Publish(new AllocationChange(AllocationChangeKind.ContainerAdmitted, decision.Key.PodUid, decision.Key.Name, container.Id, decision.Settings), m.Engine);
            LogAdmission(pod, container, decision, adjustment, updates.Count, exclusive: m.Engine.ExclusiveVersion != exclusiveBefore);
            return ValueTask.FromResult(new CreateContainerResult(adjustment, updates));
        }
    }

    public ValueTask<IReadOnlyList<ContainerUpdate>> UpdateContainerAsync(PodSandbox pod, Container container, LinuxResources? requested, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        lock (_lock)
        {
            // A CRI resource update must not undo a decision: restate everything the engine decided.
            if (_managed is not { } m || !m.TryModel(pod, container, out PodSpec? podSpec, out ContainerSpec? spec))
            {
                return ValueTask.FromResult<IReadOnlyList<ContainerUpdate>>([]);
            }
            ContainerSettings settings = m.Engine.SettingsOf(podSpec, spec);
            return ValueTask.FromResult<IReadOnlyList<ContainerUpdate>>(settings.IsEmpty ? [] : [m.Adjustments.Restatement(container.Id, settings, withItsOwnCall: true)]);
        }
    }

    public ValueTask<IReadOnlyList<ContainerUpdate>> StopContainerAsync(PodSandbox pod, Container container, CancellationToken cancellationToken)
    {
        // Like the kubelet, a stopped container keeps its CPUs until it is removed (init reuse).
        return ValueTask.FromResult<IReadOnlyList<ContainerUpdate>>([]);
    }

    public ValueTask StateChangeAsync(Event kind, PodSandbox pod, Container? container, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (kind == Event.PostUpdatePodSandbox)
        {
            return PostUpdatePodSandboxAsync(pod, cancellationToken);
        }
        var updates = new List<ContainerUpdate>();
        var resizes = new ResizeWork();
        lock (_lock)
        {
            if (_managed is not { } m)
            {
                return ValueTask.CompletedTask;
            }
            switch (kind)
            {
                case Event.RunPodSandbox:
                    TryTrackPod(m, pod);
                    break;
                case Event.StartContainer when container is not null:
                    m.Allocations.Publish(new AllocationChange(AllocationChangeKind.ContainerStarted, containerId: container.Id), m.Engine);
                    break;
                case Event.RemoveContainer when container is not null:
                    m.ReleaseContainer(container.Id, updates);
                    m.Resizes.RetryDeferred(m, resizes);
                    break;
                case Event.RemovePodSandbox:
                    m.Pods.RemovePod(pod.Id);
                    m.ReleasePod(pod.Uid, $"pod {pod.Namespace}/{pod.Name}", updates);
                    m.Resizes.RetryDeferred(m, resizes);
                    break;
            }
            // Releases are not written here: the next write takes them (the next exclusive admission,
            // the reconcile period, Synchronize, shutdown). A release the file does not hold yet can
            // only leak until then, never share: its CPUs and memory stay taken in the file.
        }
        if (updates.Count > 0)
        {
            // Never awaited inside the event: the runtime holds its lock until we answer (docs/nri-rules.md §7.5).
            _updates.Send(updates);
            log.Write(ProtocolLogLevel.Info, $"{kind}: shared pools widened, {updates.Count} container(s) updated");
        }
        CarryOut(resizes);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// In-place pod resize (docs/resize.md): the engine decides — applied, deferred or infeasible —
    /// and <see cref="PodResizeEffects"/> carries it out in order. An infeasible resize fails the
    /// call with the manager and the reason (containerd then fails the CRI call; the kubelet logs it).
    /// </summary>
    public ValueTask UpdatePodSandboxAsync(PodSandbox pod, LinuxResources? overhead, LinuxResources? resources, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var work = new ResizeWork();
        string? infeasible = null;
        lock (_lock)
        {
            if (_managed is not { } m || NriModelMapper.IsOptedOut(pod))
            {
                return ValueTask.CompletedTask;
            }
            m.Pods.Refresh(pod);
            if (resources is null)
            {
                log.Write(ProtocolLogLevel.Info, $"pod {pod.Namespace}/{pod.Name}: pod update without new resources; nothing to decide");
                return ValueTask.CompletedTask;
            }
            try
            {
                TrackedPod tracked = m.Pods.PodFor(pod, null);
                (ResizeOutcome outcome, string reason) = m.Resizes.Resize(m, tracked, resources, work);
                if (outcome == ResizeOutcome.Infeasible)
                {
                    infeasible = $"pod {pod.Namespace}/{pod.Name}: in-place resize is infeasible: {reason}";
                }
            }
            catch (FormatException e)
            {
                infeasible = $"pod {pod.Namespace}/{pod.Name}: in-place resize refused: {e.Message}";
                log.Write(ProtocolLogLevel.Warning, infeasible);
            }
        }
        CarryOut(work);
        return infeasible is null ? ValueTask.CompletedTask : ValueTask.FromException(new InvalidOperationException(infeasible));
    }

    /// <summary>NRI v0.10+: the runtime applied a pod update; what it applied is reconciled with what was decided.</summary>
    public ValueTask PostUpdatePodSandboxAsync(PodSandbox pod, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var work = new ResizeWork();
        lock (_lock)
        {
            if (_managed is not { } m || NriModelMapper.IsOptedOut(pod))
            {
                return ValueTask.CompletedTask;
            }
            m.Pods.Refresh(pod);
            try
            {
                m.Resizes.Reconcile(m, m.Pods.PodFor(pod, null), work);
            }
            catch (FormatException e)
            {
                log.Write(ProtocolLogLevel.Warning, $"pod {pod.Namespace}/{pod.Name}: post-update: {e.Message}");
            }
        }
        CarryOut(work);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Sends what resize decisions left to do, never awaited inside an event: the container updates,
    /// then — once the runtime applied them — the pod cgroup limits that narrow.
    /// </summary>
    private void CarryOut(ResizeWork work)
    {
        if (!work.IsEmpty)
        {
            _ = CarryOutAsync(work);
        }
    }

    private async Task CarryOutAsync(ResizeWork work)
    {
        if (work.Updates.Count > 0 && !await _updates.SendInOrderAsync(work.Updates).ConfigureAwait(false))
        {
            log.Write(ProtocolLogLevel.Warning, $"resize: {work.Updates.Count} container update(s) were not acknowledged; the pod cgroup limits narrow anyway (the budget is the contract)");
        }
        lock (_lock)
        {
            if (_managed is not { } m)
            {
                return;
            }
            foreach (PendingLimits pending in work.NarrowAfter)
            {
                if (m.PodCgroups.ApplyLimits(pending.Limits, pending.PodCgroup, pending.PeriodMicros, pending.What) is { } error)
                {
                    log.Write(ProtocolLogLevel.Warning, $"{pending.What}: pod cgroup limits not lowered: {error}");
                }
            }
        }
    }

    public ValueTask ShutdownAsync(CancellationToken cancellationToken)
    {
        log.Write(ProtocolLogLevel.Info, "runtime asked for shutdown");
        lock (_lock)
        {
            if (_managed is { } m)
            {
                m.State.PersistIfChanged(m.Engine);
            }
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The plugin stops (SIGTERM, or a pre-launched plugin's runtime went away): what waited for a
    /// later write (releases, shared containers) is written now, as at the runtime's Shutdown.
    /// </summary>
    public void Stopping()
    {
        lock (_lock)
        {
            if (_managed is { } m)
            {
                m.State.PersistIfChanged(m.Engine);
            }
        }
    }

    /// <summary>
    /// Reconciles with the runtime's real containers (docs/state.md, "Synchronize"): entries of
    /// containers the runtime no longer has are released, survivors keep their resources, containers
    /// without an entry are admitted and told everything, and every container whose real cpuset
    /// differs from its allocation gets an update (shared containers off exclusive CPUs).
    /// </summary>
    public INriSynchronization BeginSynchronize() => new SynchronizeCollector(SynchronizeAsync);

    private ValueTask<IReadOnlyList<ContainerUpdate>> SynchronizeAsync(IReadOnlyList<PodSandbox> pods, IReadOnlyList<Container> containers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(containers);
        IReadOnlyList<ContainerUpdate> updates;
        lock (_lock)
        {
            log.Write(ProtocolLogLevel.Info, $"synchronize: {pods.Count} pods, {containers.Count} containers");
            updates = _managed is { } m ? RuntimeReconciliation.Synchronize(m, pods, containers, log) : [];
        }
        // As after Configure: outside the lock, and whether or not resources are managed.
        options.StartupFinished?.Invoke();
        return ValueTask.FromResult(updates);
    }

    /// <summary>One reconcile pass (<see cref="RuntimeReconciliation.ReleaseStalePods"/>); returns the updates it found due.</summary>
    internal IReadOnlyList<ContainerUpdate> ReconcileStaleState()
    {
        lock (_lock)
        {
            return _managed is { } m ? RuntimeReconciliation.ReleaseStalePods(m, log) : [];
        }
    }

    /// <summary>One reconcile pass: stale pods, cpuset corrections and pending widenings sent, deferred resizes (the reconcile period; tests call it).</summary>
    internal void RunReconcilePass()
    {
        IReadOnlyList<ContainerUpdate> updates = ReconcileStaleState();
        if (updates.Count > 0)
        {
            _updates.Send(updates);
        }
        RetryDeferredResizes();
    }

    /// <summary>Tries every deferred in-place resize again (the reconcile period; tests call it).</summary>
    internal void RetryDeferredResizes()
    {
        var work = new ResizeWork();
        lock (_lock)
        {
            if (_managed is { } m)
            {
                m.Resizes.RetryDeferred(m, work);
            }
        }
        CarryOut(work);
    }

    // ---- dispatch -------------------------------------------------------------------------------

    private void TryTrackPod(ResourceManagement m, PodSandbox sandbox)
    {
        try
        {
            m.Pods.PodFor(sandbox, null);
        }
        catch (FormatException e)
        {
            log.Write(ProtocolLogLevel.Warning, $"pod {sandbox.Namespace}/{sandbox.Name}: {e.Message}");
        }
    }

    /// <summary>
    /// The decision in words: at info when the container got something exclusive or moved others
    /// (like the kubelet's static policies, which log only those), at debug for a container on a
    /// shared pool — most containers, where formatting and writing the line was a fifth of the
    /// handler's time on every CreateContainer.
    /// </summary>
    private void LogAdmission(PodSandbox pod, Container container, in ContainerDecision decision, ContainerAdjustment adjustment, int updated, bool exclusive)
    {
        ContainerSettings s = decision.Settings;
        ProtocolLogLevel level = exclusive || updated > 0 ? ProtocolLogLevel.Info : ProtocolLogLevel.Debug;
        if (log.IsEnabled(level))
        {
            string mems = adjustment.Linux.Resources.Cpu.Mems;
            log.Write(level,
                $"create container {Describe(pod, container)}: cpus {(s.ManagesCpu ? s.Cpus.ToString() : "unmanaged")} ({s.Level}), " +
                $"mems {(mems.Length > 0 ? mems : "unrestricted")}, NUMA {(decision.Hint.Mask == 0 ? "any" : NumaMask.Format(decision.Hint.Mask))}" +
                (s.MemoryQos.IsEmpty ? "" : $", memory QoS {s.MemoryQos}") +
                $", {updated} other container(s) updated");
        }
        if (decision.Cpu.UnusedPodBudgetCpus > 0)
        {
            log.Write(ProtocolLogLevel.Info,
                $"pod {pod.Namespace}/{pod.Name}: {decision.Cpu.UnusedPodBudgetCpus} CPU(s) of its pod-level budget are used by no container so far (KEP-5526 under-utilisation)");
        }
    }

    private static string Describe(PodSandbox pod, Container container) => $"{pod.Namespace}/{pod.Name}/{container.Name} ({container.Id})";
}
