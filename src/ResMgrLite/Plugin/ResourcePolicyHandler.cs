using ResMgrLite.Config;
using ResMgrLite.Config.Reload;
using ResMgrLite.Config.Settings;
using ResMgrLite.Config.Sources;
using ResMgrLite.Engine;
using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.State;
using ResMgrLite.Engine.Topology;
using ResMgrLite.Engine.TopologyManagement;
using ResMgrLite.Host.State;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.MemoryQos;
using ResMgrLite.Host.Cgroups;
using ResMgrLite.Host.Files;
using ResMgrLite.Host.Sysfs;
using ResMgrLite.Nri;
using ResMgrLite.Nri.Api;
using EngineCgroupDriver = ResMgrLite.Engine.MemoryQos.CgroupDriver;
using EngineReservationPolicy = ResMgrLite.Engine.MemoryQos.MemoryReservationPolicy;
using EngineReservedMemoryNode = ResMgrLite.Engine.Memory.ReservedMemoryNode;

namespace ResMgrLite.Plugin;

/// <summary>Where the handler finds the machine and its configuration.</summary>
/// <param name="SysfsRoot">Root of the sysfs tree (tests use synthetic trees).</param>
/// <param name="ConfigSourceName">Name used in configuration messages for the Configure text (the conf.d file).</param>
/// <param name="ConfigFile">External plugins get no config in Configure: they read this file (null = defaults).</param>
/// <param name="Environment">Variables for RESMGRLITE__* overrides.</param>
/// <param name="ProcRoot">Root of procfs, for the cgroup mounts.</param>
/// <param name="Observability">Metrics endpoint, textfile and NodeResourceTopology file, started by the first valid configuration.</param>
internal sealed record HandlerOptions(string SysfsRoot, string ConfigSourceName, string? ConfigFile, System.Collections.IDictionary Environment, string ProcRoot = "/proc", Observability.PluginObservability? Observability = null);

/// <summary>
/// The NRI event handler backed by the resource engine: CreateContainer asks the engine for a
/// decision and answers with the container's cpuset and quota, plus updates for every other
/// container whose cpuset changed (shared pools); removals release and push the wider pools out.
/// </summary>
/// <remarks>
/// Fail closed: a container the engine refuses fails CreateContainer with the engine's reason, and
/// no container is ever handed an empty cpuset. Events are serialized by the runtime; a lock still
/// guards the state because unsolicited updates are built from it.
/// </remarks>
internal sealed class ResourcePolicyHandler : INriEventHandler
{
    public const NriEventMask Subscribed =
        NriEventMask.RunPodSandbox | NriEventMask.StopPodSandbox | NriEventMask.RemovePodSandbox
        | NriEventMask.CreateContainer | NriEventMask.StartContainer | NriEventMask.UpdateContainer
        | NriEventMask.StopContainer | NriEventMask.RemoveContainer | NriEventMask.UpdatePodSandbox;

    private readonly PluginLog _log;
    private readonly HandlerOptions _options;
    private readonly ResourceManagementStatus _status;
    private readonly Lock _lock = new();

    private ResMgrSettings? _settings;
    private ResourceEngine? _engine;
    private INriRuntime? _runtime;
    private CheckpointStore? _checkpoint;

    // The cpuset last handed to the runtime per container id, to send only real changes. Keyed by
    // id rather than by tracked container: after a restart the engine's restored entries name
    // containers this process has not seen an event for yet.
    private readonly Dictionary<string, CpuSet> _applied = new(StringComparer.Ordinal);

    // Memory QoS parent aggregation (spec/resource-managers.md §6.5), written directly to cgroup v2.
    private MemoryQosAccounting? _qosAccounting;
    private CgroupWriter? _cgroupWriter;

    // Pod cgroups whose CFS quota was lifted because a container has exclusive CPUs (§5.7).
    private CgroupWriter? _cpuQuotaWriter;
    private string _cpuQuotaFile = "";
    private string _cpuQuotaOff = "";
    private QosCgroupLayout? _layout;
    private readonly HashSet<string> _podsWithoutQuota = new(StringComparer.Ordinal);

    private Timer? _reconcileTimer;

    // MemTotal of the machine: the kubelet's memory capacity in the oom_score_adj formula (§8).
    private long _memoryCapacityBytes;

    // Pods by sandbox id, with the model built so far; containers by id.
    private readonly Dictionary<string, PodState> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TrackedContainer> _containers = new(StringComparer.Ordinal);

    private sealed class PodState(PodSandbox sandbox, PodSpec spec)
    {
        public PodSandbox Sandbox { get; set; } = sandbox;

        public PodSpec Spec { get; } = spec;
    }

    private sealed class TrackedContainer(string id, PodState pod, ContainerSpec spec)
    {
        public string Id { get; } = id;

        public PodState Pod { get; } = pod;

        public ContainerSpec Spec { get; } = spec;
    }

    public ResourcePolicyHandler(PluginLog log, HandlerOptions options)
    {
        _log = log;
        _options = options;
        _status = new ResourceManagementStatus(log);
    }

    /// <summary>Whether resource management is on, and if not why (for metrics and commands).</summary>
    public ResourceManagementStatus Status => _status;

    /// <summary>The engine, once Configure built it (tests read it).</summary>
    public ResourceEngine? Engine => _engine;

    public ValueTask<NriEventMask> ConfigureAsync(NriConfigureContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        lock (_lock)
        {
            _runtime = context.Updates;
            Configure(context.Config);
            // The log target is settled now (the configured file, or the default one).
            _log.Release();
        }
        return ValueTask.FromResult(Subscribed);
    }

    /// <summary>
    /// Loads and validates the configuration, then builds the engine. A broken configuration never
    /// fails Configure (containerd 1.7.24 would exit): the plugin logs every problem and, on first
    /// start, stays passive (no adjustments) until a valid configuration arrives.
    /// </summary>
    private void Configure(string configText)
    {
        MachineTopology machine;
        try
        {
            machine = SysfsTopologyDiscovery.Discover(_options.SysfsRoot);
        }
        catch (TopologyDiscoveryException e)
        {
            if (_engine is null)
            {
                _status.Passive(PassiveReason.MachineUnreadable, $"cannot read the machine topology, resource management is off: {e.Message}");
            }
            return;
        }

        var documents = new List<ConfigDocument>();
        if (configText.Length > 0)
        {
            documents.Add(ConfigDocument.FromToml(configText, _options.ConfigSourceName));
        }
        else if (_options.ConfigFile is { } file)
        {
            documents.Add(ConfigFileReader.Read(file));
        }
        documents.Add(ConfigDocument.FromEnvironment(_options.Environment));
        ConfigLoadResult result = ConfigLoader.Load(documents, MachineModel.ToFacts(machine));
        if (!result.IsValid || result.Settings is null)
        {
            foreach (ConfigProblem problem in result.Problems)
            {
                _log.Write(ProtocolLogLevel.Error, $"configuration: {problem}");
            }
            if (_engine is null)
            {
                _status.Passive(PassiveReason.InvalidConfiguration,
                    $"configuration is invalid: resource management stays off until it is fixed ({result.Problems.Count} problem(s), the first: {result.Problems.FirstOrDefault()}); after fixing it, {ConfigValidationReport.Recovery}");
            }
            else
            {
                _log.Write(ProtocolLogLevel.Error, "configuration is invalid: keeping the running configuration");
            }
            return;
        }

        ResMgrSettings proposed = result.Settings;
        if (_settings is not null && _engine is not null)
        {
            // The kubelet's rule: policy changes need a drained node; only safe keys change live.
            ReloadResult reload = ConfigReload.Compare(_settings, proposed);
            foreach (RefusedChange refused in reload.Refused)
            {
                _log.Write(ProtocolLogLevel.Warning, $"configuration change refused: {refused}");
            }
            _settings = reload.Effective;
            ApplyLogSettings(_settings, machine);
            return;
        }

        try
        {
            // One look at the host's cgroups and one pod-cgroup naming serve both memory QoS and the pod quota.
            CgroupSituation cgroups = CgroupDetector.Detect(_options.ProcRoot, _options.SysfsRoot);
            _layout = new QosCgroupLayout(
                proposed.CgroupDriver == Config.Settings.CgroupDriver.Systemd ? EngineCgroupDriver.Systemd : EngineCgroupDriver.Cgroupfs,
                proposed.CgroupRoot.Trim('/'));
            _memoryCapacityBytes = MachineModel.MemoryNodes(machine).Sum(node => node.MemTotalBytes);
            MemoryQosOptions? memoryQos = MemoryQosFor(proposed, cgroups, _layout);
            PreparePodQuotaWrites(cgroups);
            ResourceEngine engine = BuildEngine(machine, proposed, memoryQos);
            ApplyLogSettings(proposed, machine);
            var store = new CheckpointStore(proposed.StateDirectory);
            if (!TryRestore(engine, store))
            {
                return;
            }
            _engine = engine;
            _options.Observability?.OnAllocationChanged(engine);
            _checkpoint = store;
            _settings = proposed;
            _status.Activate();
            StartStaleStateReconcile(proposed.CpuManagerReconcilePeriod);
            _log.Write(ProtocolLogLevel.Info,
                $"resource management on: topology manager {TopologyManagerOptions.PolicyName(_engine.TopologyManager.Policy)}/{_engine.TopologyManager.Scope}, " +
                $"CPU manager {(_engine.Cpu is null ? "none" : $"static, reserved {_engine.Cpu.Reserved}, shared pool {_engine.Cpu.DefaultSet}")}, " +
                $"memory manager {(proposed.MemoryManagerPolicy == MemoryManagerPolicy.Static ? "Static" : "None")}, " +
                $"memory QoS {(memoryQos is null ? "off" : memoryQos.ReservationPolicy.ToString())}");
            ResyncQosParents();
        }
        catch (ArgumentException e)
        {
            _status.Passive(PassiveReason.StartFailed, $"cannot start the resource managers, resource management is off: {e.Message}");
        }
    }

    /// <summary>
    /// Where the pod cgroup's CFS quota lives on this host: cgroup v2 <c>cpu.max</c> ("max" = no quota)
    /// or the v1 cpu hierarchy's <c>cpu.cfs_quota_us</c> (-1).
    /// </summary>
    private void PreparePodQuotaWrites(CgroupSituation cgroups)
    {
        void Log(string message) => _log.Write(ProtocolLogLevel.Warning, message);
        if (cgroups.Mode == CgroupMode.Unified && cgroups.UnifiedMountPoint is { } unified)
        {
            (_cpuQuotaWriter, _cpuQuotaFile, _cpuQuotaOff) = (new CgroupWriter(CgroupDetector.MapToRoots(unified, _options.SysfsRoot), _layout!.Root, Log), "cpu.max", "max");
        }
        else if (cgroups.V1Hierarchies.FirstOrDefault(h => h.Controllers.Contains("cpu", StringComparer.Ordinal)) is { } cpu)
        {
            (_cpuQuotaWriter, _cpuQuotaFile, _cpuQuotaOff) = (new CgroupWriter(CgroupDetector.MapToRoots(cpu.MountPoint, _options.SysfsRoot), _layout!.Root, Log), "cpu.cfs_quota_us", "-1");
        }
        else
        {
            _log.Write(ProtocolLogLevel.Warning, "no cgroup cpu controller found: pod cgroup quotas of pods with exclusive CPUs stay as the kubelet set them");
        }
    }

    /// <summary>A container of the pod got exclusive CPUs: the pod cgroup's quota goes too (§5.7, DisableCPUQuotaWithExclusiveCPUs).</summary>
    private void LiftPodQuota(PodState pod)
    {
        if (_cpuQuotaWriter is null || _layout is null || !_podsWithoutQuota.Add(pod.Spec.Uid))
        {
            return;
        }
        string cgroup = PodCgroupPath(pod.Sandbox) ?? _layout.PodCgroup(pod.Spec.Qos, pod.Spec.Uid);
        CgroupWriterResult result = _cpuQuotaWriter.Apply([new CgroupWrite(cgroup, _cpuQuotaFile, _cpuQuotaOff)], $"pod {pod.Spec}");
        if (!result.Succeeded)
        {
            _podsWithoutQuota.Remove(pod.Spec.Uid);
            _log.Write(ProtocolLogLevel.Warning, $"pod {pod.Spec}: could not lift the pod cgroup CFS quota: {result.Error}");
        }
    }

    /// <summary>
    /// Loads the state file into a fresh engine (docs/state.md, "Recovery rules"). Any file that
    /// cannot be trusted — damaged, from a newer binary, or incompatible with this machine or
    /// configuration — leaves resource management off with one error naming the file and the
    /// problem: guessing would risk a CPU in two exclusive sets, and the kubelet's own answer
    /// (refusing to start, spec/resource-managers.md §3.11) would take containerd down with us.
    /// </summary>
    private bool TryRestore(ResourceEngine engine, CheckpointStore store)
    {
        CheckpointLoadResult loaded = store.Load();
        switch (loaded.Status)
        {
            case CheckpointStatus.Missing:
                _log.Write(ProtocolLogLevel.Info, $"state: no state file at {store.FilePath}, starting with empty state");
                return true;
            case CheckpointStatus.Loaded:
                IReadOnlyList<string> problems = engine.Restore(loaded.Snapshot!);
                if (problems.Count == 0)
                {
                    EngineSnapshot restored = loaded.Snapshot!;
                    _applied.Clear();
                    foreach (ContainerCpuSnapshot c in restored.Containers)
                    {
                        // The file is written before each answer leaves, so it holds what the runtime was given.
                        _applied[c.ContainerId] = engine.EffectiveCpus(c.PodUid, c.ContainerName);
                    }
                    _log.Write(ProtocolLogLevel.Info,
                        $"state: restored {restored.Containers.Count} container(s), {restored.Pods.Count} pod budget(s) from {store.FilePath}; shared pool {restored.DefaultCpus}");
                    return true;
                }
                _status.Passive(PassiveReason.UntrustedState, ResourceManagementStatus.UntrustedState($"{store.FilePath}: state does not match this machine or configuration: {string.Join("; ", problems)}", store.FilePath));
                return false;
            default:
                _status.Passive(PassiveReason.UntrustedState, ResourceManagementStatus.UntrustedState(loaded.Error ?? store.FilePath, store.FilePath));
                return false;
        }
    }

    /// <summary>Writes the checkpoint; false (logged) when the disk refused.</summary>
    private bool TrySave()
    {
        if (_engine is null || _checkpoint is null)
        {
            return true;
        }
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            _checkpoint.Save(_engine.Snapshot());
            _options.Observability?.OnStateSaved(System.Diagnostics.Stopwatch.GetElapsedTime(start), succeeded: true, _engine);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _options.Observability?.OnStateSaved(System.Diagnostics.Stopwatch.GetElapsedTime(start), succeeded: false, _engine);
            _log.Write(ProtocolLogLevel.Error, $"state: cannot write {_checkpoint.FilePath}: {ErrorText.Of(e, _checkpoint.FilePath)}");
            return false;
        }
    }

    /// <summary>
    /// The kubelet's <c>removeStaleState</c> for what NRI never reports: containerd 1.7.24 sends a
    /// relaunched pre-launched plugin no Synchronize and no removal events for pods created before its
    /// restart, so entries restored from the state file can outlive their pods. Every reconcile period
    /// (cpuManager.reconcilePeriod) the pods no event has named since start are looked up in the
    /// cgroup tree; a pod whose cgroup is gone releases its resources and the wider pools are pushed out.
    /// </summary>
    private void StartStaleStateReconcile(TimeSpan period)
    {
        if (period <= TimeSpan.Zero)
        {
            return;
        }
        _reconcileTimer?.Dispose();
        _reconcileTimer = new Timer(_ =>
        {
            IReadOnlyList<ContainerUpdate> updates = ReconcileStaleState();
            if (updates.Count > 0)
            {
                _ = _runtime?.UpdateContainersAsync(updates);
            }
        }, null, period, period);
    }

    /// <summary>One stale-state pass; returns the updates for the containers whose pool widened.</summary>
    internal IReadOnlyList<ContainerUpdate> ReconcileStaleState()
    {
        lock (_lock)
        {
            if (_engine?.Cpu is not { } cpu || _layout is null || _cpuQuotaWriter is null ||
                _cpuQuotaWriter.Probe(_layout.Root) != CgroupPresence.Present)
            {
                // Without the kubepods hierarchy nothing can be judged: keeping an entry only leaks, releasing a live one would share CPUs.
                return [];
            }
            var seen = new HashSet<string>(_pods.Values.Select(p => p.Spec.Uid), StringComparer.Ordinal);
            var departed = cpu.Containers.Keys.Select(k => k.PodUid)
                .Where(uid => !seen.Contains(uid) && !PodCgroupExists(uid))
                .Distinct(StringComparer.Ordinal).ToList();
            if (departed.Count == 0)
            {
                return [];
            }
            foreach (string podUid in departed)
            {
                foreach ((ContainerKey key, string id) in cpu.Containers.Where(p => string.Equals(p.Key.PodUid, podUid, StringComparison.Ordinal))
                             .Select(p => (p.Key, p.Value.ContainerId)).ToList())
                {
                    _applied.Remove(id);
                    _engine.ReleaseContainer(key.PodUid, key.Name, null);
                }
                _engine.ForgetPod(podUid);
                _podsWithoutQuota.Remove(podUid);
                _log.Write(ProtocolLogLevel.Info, $"reconcile: pod {podUid} from the state file has no cgroup any more; its resources are released");
            }
            IReadOnlyList<ContainerUpdate> updates = PendingUpdates(exceptId: null);
            TrySave();
            return updates;
        }
    }

    private bool PodCgroupExists(string podUid)
    {
        foreach (QosClass qos in (ReadOnlySpan<QosClass>)[QosClass.Guaranteed, QosClass.Burstable, QosClass.BestEffort])
        {
            // A path that cannot be judged (refused, unreadable) counts as present: releasing a live pod would share its CPUs.
            if (_cpuQuotaWriter!.Probe(_layout!.PodCgroup(qos, podUid), $"pod {podUid}") != CgroupPresence.Gone)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Memory QoS settings, or null when off; it needs cgroup v2 (unified keys fail on v1 hosts).</summary>
    private MemoryQosOptions? MemoryQosFor(ResMgrSettings settings, CgroupSituation cgroups, QosCgroupLayout layout)
    {
        if (!settings.MemoryQosEnabled)
        {
            return null;
        }
        if (cgroups.Mode != CgroupMode.Unified)
        {
            _log.Write(ProtocolLogLevel.Warning, $"memory QoS is configured but this host is not cgroup v2 only ({cgroups.Mode}): memory QoS stays off");
            return null;
        }
        WarnOnOldKernel();
        var options = new MemoryQosOptions
        {
            ReservationPolicy = settings.MemoryReservationPolicy == Config.Settings.MemoryReservationPolicy.TieredReservation
                ? EngineReservationPolicy.TieredReservation
                : EngineReservationPolicy.None,
            ThrottlingFactor = settings.MemoryThrottlingFactor,
            NodeAllocatableMemoryBytes = Math.Max(0, _memoryCapacityBytes - settings.NodeReservedMemoryBytes),
        };
        _qosAccounting = new MemoryQosAccounting(options, layout);
        _cgroupWriter = new CgroupWriter(settings.CgroupMountPath, layout.Root, message => _log.Write(ProtocolLogLevel.Warning, message));
        return options;
    }

    /// <summary>memory.high throttling misbehaves before Linux 5.9 (KEP-2570): the kubelet warns, so do we.</summary>
    private void WarnOnOldKernel()
    {
        string? release;
        try
        {
            release = HostFile.TryReadText(Path.Combine(_options.ProcRoot, "sys/kernel/osrelease"), HostFileKind.KernelAttribute)?.Trim();
        }
        catch (IOException)
        {
            return;
        }
        if (release is null)
        {
            return;
        }
        string[] parts = release.Split('.', '-');
        if (parts.Length >= 2 && int.TryParse(parts[0], out int major) && int.TryParse(parts[1], out int minor) && (major < 5 || (major == 5 && minor < 9)))
        {
            _log.Write(ProtocolLogLevel.Warning, $"memory QoS on kernel {release}: kernels before 5.9 can stall workloads under memory.high throttling (KEP-2570); upgrade the kernel or turn memory QoS off");
        }
    }

    internal static ResourceEngine BuildEngine(MachineTopology machine, ResMgrSettings settings, MemoryQosOptions? memoryQos = null)
    {
        CpuTopology topology = MachineModel.ToCpuTopology(machine);
        var tm = new TopologyManagerOptions
        {
            Policy = settings.TopologyManagerPolicy switch
            {
                Config.Settings.TopologyManagerPolicy.BestEffort => TopologyPolicy.BestEffort,
                Config.Settings.TopologyManagerPolicy.Restricted => TopologyPolicy.Restricted,
                Config.Settings.TopologyManagerPolicy.SingleNumaNode => TopologyPolicy.SingleNumaNode,
                _ => TopologyPolicy.None,
            },
            Scope = settings.TopologyManagerScope == TopologyManagerScope.Pod ? TopologyScope.Pod : TopologyScope.Container,
            PreferClosestNumaNodes = settings.PreferClosestNumaNodes,
            MaxAllowableNumaNodes = settings.MaxAllowableNumaNodes,
        };
        CpuManagerOptions? cpu = null;
        if (settings.CpuManagerPolicy == CpuManagerPolicy.Static)
        {
            CpuManagerPolicyOptionFlags flags = settings.CpuManagerPolicyOptions;
            cpu = new CpuManagerOptions
            {
                ReservedCpus = settings.ReservedSystemCpus,
                ReservedCpuCount = settings.ReservedCpuCount,
                FullPcpusOnly = flags.HasFlag(CpuManagerPolicyOptionFlags.FullPcpusOnly),
                DistributeCpusAcrossNuma = flags.HasFlag(CpuManagerPolicyOptionFlags.DistributeCpusAcrossNuma),
                AlignBySocket = flags.HasFlag(CpuManagerPolicyOptionFlags.AlignBySocket),
                DistributeCpusAcrossCores = flags.HasFlag(CpuManagerPolicyOptionFlags.DistributeCpusAcrossCores),
                StrictCpuReservation = flags.HasFlag(CpuManagerPolicyOptionFlags.StrictCpuReservation),
                PreferAlignCpusByUncoreCache = flags.HasFlag(CpuManagerPolicyOptionFlags.PreferAlignCpusByUncoreCache),
                PodLevelResourceManagers = settings.PodLevelResources && settings.PodLevelResourceManagers,
            };
        }
        MemoryManagerOptions? memory = null;
        if (settings.MemoryManagerPolicy == MemoryManagerPolicy.Static)
        {
            memory = new MemoryManagerOptions
            {
                Nodes = [.. MachineModel.MemoryNodes(machine)],
                ReservedMemory = [.. settings.ReservedMemory.Select(r => new EngineReservedMemoryNode(r.NumaNode, new MemoryAmounts(
                    r.LimitsBytes.GetValueOrDefault("memory"),
                    r.LimitsBytes.GetValueOrDefault("hugepages-2Mi"),
                    r.LimitsBytes.GetValueOrDefault("hugepages-1Gi"))))],
                PodLevelResourceManagers = settings.PodLevelResources && settings.PodLevelResourceManagers,
            };
        }
        return new ResourceEngine(topology, tm, cpu, memory, memoryQos);
    }

    /// <summary>Writes both QoS parents as the accounting says (start-up: what the files hold is unknown).</summary>
    private void ResyncQosParents() => ApplyQosPlan(_qosAccounting?.PlanResync(), "resync");

    private bool ApplyQosPlan(IReadOnlyList<CgroupWrite>? plan, string what)
    {
        if (plan is null || plan.Count == 0 || _cgroupWriter is null)
        {
            return true;
        }
        CgroupWriterResult result = _cgroupWriter.Apply(plan, $"memory QoS {what}");
        if (!result.Succeeded)
        {
            _log.Write(ProtocolLogLevel.Error, $"memory QoS {what}: {result.Error}");
        }
        return result.Succeeded;
    }

    /// <summary>The pod's request changed (a container was admitted): pod cgroup and QoS parents, in order.</summary>
    private void UpdatePodMemoryQos(PodState pod)
    {
        if (_qosAccounting is null)
        {
            return;
        }
        long request = MemoryQosCalculator.PodMemoryRequest(pod.Spec);
        string podCgroup = PodCgroupPath(pod.Sandbox) ?? _qosAccounting.Layout.PodCgroup(pod.Spec.Qos, pod.Spec.Uid);
        if (ApplyQosPlan(_qosAccounting.PlanUpsertPod(pod.Spec.Uid, pod.Spec.Qos, request, podCgroup), $"pod {pod.Spec}"))
        {
            _qosAccounting.UpsertPod(pod.Spec.Uid, pod.Spec.Qos, request);
        }
    }

    /// <summary>The pod cgroup relative to the cgroup mount, from the runtime (cgroupfs paths only; systemd slices go through the layout).</summary>
    private static string? PodCgroupPath(PodSandbox sandbox)
    {
        string? parent = sandbox.Linux?.CgroupParent;
        if (string.IsNullOrEmpty(parent) || parent.EndsWith(".slice", StringComparison.Ordinal))
        {
            return null;
        }
        return parent.Trim('/');
    }

    /// <summary>The operator-facing settings of a valid configuration: log target/format/level, metrics, NodeResourceTopology file.</summary>
    private void ApplyLogSettings(ResMgrSettings settings, MachineTopology machine)
    {
        _log.Apply(settings);
        _options.Observability?.Apply(settings, MachineModel.MemoryNodes(machine));
    }

    // ---- events ---------------------------------------------------------------------------------

    /// <summary>
    /// Reconciles with the runtime's real containers (docs/state.md, "Synchronize"): entries of
    /// containers the runtime no longer has are released, survivors keep their CPUs, containers
    /// without an entry are admitted, and every container whose real cpuset differs from its
    /// allocation gets an update (shared containers off exclusive CPUs).
    /// </summary>
    public ValueTask<IReadOnlyList<ContainerUpdate>> SynchronizeAsync(IReadOnlyList<PodSandbox> pods, IReadOnlyList<Container> containers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(containers);
        lock (_lock)
        {
            _log.Write(ProtocolLogLevel.Info, $"synchronize: {pods.Count} pods, {containers.Count} containers");
            var sandboxes = pods.ToDictionary(p => p.Id, StringComparer.Ordinal);
            var present = containers.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
            int departed = ForgetDeparted(present, sandboxes.Values.Select(p => p.Uid).ToHashSet(StringComparer.Ordinal));

            // Survivors first, in a stable order, so new admissions cannot take their CPUs.
            var ordered = containers
                .Where(c => c.State != Nri.Api.ContainerState.ContainerStopped && sandboxes.ContainsKey(c.PodSandboxId))
                .OrderBy(c => _engine is not null && _engine.TryFindContainer(c.Id, out _, out _) ? 0 : 1)
                .ThenBy(c => c.CreatedAt).ThenBy(c => c.Id, StringComparer.Ordinal);
            foreach (Container container in ordered)
            {
                PodSandbox sandbox = sandboxes[container.PodSandboxId];
                if (!TryAdmit(sandbox, container, out _, out string? error))
                {
                    _log.Write(ProtocolLogLevel.Warning, $"synchronize: existing container {Describe(sandbox, container)} keeps its resources: {error}");
                    continue;
                }
                // What the container really runs on now; unknown (empty) forces an update.
                string real = container.Linux?.Resources?.Cpu?.Cpus ?? "";
                _applied[container.Id] = CpuSet.TryParse(real, out CpuSet actual) ? actual : default;
            }
            IReadOnlyList<ContainerUpdate> updates = PendingUpdates(exceptId: null);
            TrySave();
            _log.Write(ProtocolLogLevel.Info, $"reconciled with the runtime: {departed} departed container entries released, {updates.Count} cpuset update(s)");
            return ValueTask.FromResult(updates);
        }
    }

    /// <summary>Releases every engine entry whose container the runtime no longer has; returns how many.</summary>
    private int ForgetDeparted(HashSet<string> presentContainers, HashSet<string> presentPodUids)
    {
        foreach (string id in _containers.Keys.Where(id => !presentContainers.Contains(id)).ToList())
        {
            _containers.Remove(id);
        }
        foreach (string sandboxId in _pods.Where(p => !presentPodUids.Contains(p.Value.Spec.Uid)).Select(p => p.Key).ToList())
        {
            _pods.Remove(sandboxId);
        }
        if (_engine?.Cpu is null)
        {
            return 0;
        }
        var gone = _engine.Cpu.Containers
            .Where(p => !presentContainers.Contains(p.Value.ContainerId))
            .Select(p => (p.Key, p.Value.ContainerId))
            .ToList();
        foreach ((ContainerKey key, string id) in gone)
        {
            _engine.ReleaseContainer(key.PodUid, key.Name, id);
            _applied.Remove(id);
            _log.Write(ProtocolLogLevel.Info, $"reconcile: the runtime no longer has container {key.Name} of pod {key.PodUid} ({id}); its resources are released");
        }
        foreach (string podUid in gone.Select(g => g.Key.PodUid).Distinct(StringComparer.Ordinal).Where(uid => !presentPodUids.Contains(uid)))
        {
            _engine.ForgetPod(podUid);
        }
        return gone.Count;
    }

    public ValueTask<CreateContainerResult> CreateContainerAsync(PodSandbox pod, Container container, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        lock (_lock)
        {
            // A retried CreateContainer for an id the state already holds changes nothing: no new write.
            bool alreadyAdmitted = _engine?.TryFindContainer(container.Id, out _, out _) == true;
            if (!TryAdmit(pod, container, out ContainerDecision decision, out string? error))
            {
                _log.Write(ProtocolLogLevel.Warning, $"create container {Describe(pod, container)} refused: {error}");
                throw new InvalidOperationException(error);
            }
            if (!_containers.TryGetValue(container.Id, out TrackedContainer? state) || (!decision.ManagesCpu && !decision.ManagesMemory && decision.MemoryQos.IsEmpty))
            {
                return ValueTask.FromResult(CreateContainerResult.NoChange);
            }
            if (!alreadyAdmitted && !TrySave())
            {
                // Like the kubelet (which panics when it cannot checkpoint): an allocation a restart
                // would forget is not handed out. Undo it and fail the container.
                Remove(container.Id);
                TrySave();
                error = $"the state file {_checkpoint?.FilePath} cannot be written, so the allocation would not survive a restart";
                _log.Write(ProtocolLogLevel.Error, $"create container {Describe(pod, container)} refused: {error}");
                throw new InvalidOperationException(error);
            }
            UpdatePodMemoryQos(state.Pod);
            if (decision.ManagesCpu && decision.Cpu.PodHasExclusive)
            {
                LiftPodQuota(state.Pod);
            }
            CpuSet cpus = decision.Cpu.Cpus;
            _applied[container.Id] = cpus;
            var cpu = new LinuxCPU();
            if (decision.ManagesCpu)
            {
                cpu.Cpus = cpus.ToString();
            }
            if (decision.ManagesCpu && decision.Cpu.Level == CpuIsolationLevel.Container)
            {
                // Exclusive CPUs: the container's CFS quota is off (spec/resource-managers.md §5.7).
                cpu.Quota = new OptionalInt64 { Value = -1 };
            }
            var resources = new LinuxResources { Cpu = cpu };
            AddMemoryDecision(decision, cpu, resources);
            var adjustment = new ContainerAdjustment
            {
                Linux = new LinuxContainerAdjustment { Resources = resources },
            };
            IReadOnlyList<ContainerUpdate> updates = PendingUpdates(exceptId: container.Id);
            _log.Write(ProtocolLogLevel.Info,
                $"create container {Describe(pod, container)}: cpus {(decision.ManagesCpu ? cpus.ToString() : "unmanaged")} ({decision.Cpu.Level}), " +
                $"mems {(cpu.Mems.Length > 0 ? cpu.Mems : "unrestricted")}, NUMA {(decision.Hint.Mask == 0 ? "any" : NumaMask.Format(decision.Hint.Mask))}" +
                (decision.MemoryQos.IsEmpty ? "" : $", memory QoS {decision.MemoryQos}") +
                $", {updates.Count} other container(s) updated");
            if (decision.Cpu.UnusedPodBudgetCpus > 0)
            {
                _log.Write(ProtocolLogLevel.Info,
                    $"pod {pod.Namespace}/{pod.Name}: {decision.Cpu.UnusedPodBudgetCpus} CPU(s) of its pod-level budget are used by no container so far (KEP-5526 under-utilisation)");
            }
            return ValueTask.FromResult(new CreateContainerResult(adjustment, updates));
        }
    }

    /// <summary>cpuset.mems, hugepage limits and the unified memory knobs of a decision (§4.5, §6.2).</summary>
    private static void AddMemoryDecision(in ContainerDecision decision, LinuxCPU cpu, LinuxResources resources)
    {
        if (decision.ManagesMemory)
        {
            if (decision.Memory.Mems != 0)
            {
                cpu.Mems = decision.Memory.MemsList;
            }
            // Page sizes as the kubelet names them in CRI (runc's hugetlb file names).
            if (decision.Memory.Hugepages2MiLimitBytes > 0)
            {
                resources.HugepageLimits.Add(new HugepageLimit { PageSize = "2MB", Limit = (ulong)decision.Memory.Hugepages2MiLimitBytes });
            }
            if (decision.Memory.Hugepages1GiLimitBytes > 0)
            {
                resources.HugepageLimits.Add(new HugepageLimit { PageSize = "1GB", Limit = (ulong)decision.Memory.Hugepages1GiLimitBytes });
            }
        }
        foreach (KeyValuePair<string, string> file in decision.MemoryQos.Files())
        {
            resources.Unified[file.Key] = file.Value;
        }
    }

    public ValueTask<IReadOnlyList<ContainerUpdate>> UpdateContainerAsync(PodSandbox pod, Container container, LinuxResources? requested, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(container);
        lock (_lock)
        {
            if (_engine?.Cpu is null || !_containers.TryGetValue(container.Id, out TrackedContainer? state))
            {
                return ValueTask.FromResult<IReadOnlyList<ContainerUpdate>>([]);
            }
            // A CRI resource update must not undo the pinning: restate the cpuset, and keep the quota
            // off for exclusive containers.
            CpuSet cpus = _engine.EffectiveCpus(state.Pod.Spec.Uid, state.Spec.Name);
            var cpu = new LinuxCPU { Cpus = cpus.ToString() };
            if (_engine.Cpu.Containers.TryGetValue(new ContainerKey(state.Pod.Spec.Uid, state.Spec.Name), out ContainerCpuEntry entry) &&
                entry.Kind == CpuAssignmentKind.Exclusive && entry.Eligible)
            {
                cpu.Quota = new OptionalInt64 { Value = -1 };
            }
            _applied[container.Id] = cpus;
            return ValueTask.FromResult<IReadOnlyList<ContainerUpdate>>(
            [
                new ContainerUpdate { ContainerId = container.Id, Linux = new LinuxContainerUpdate { Resources = new LinuxResources { Cpu = cpu } } },
            ]);
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
        IReadOnlyList<ContainerUpdate> updates = [];
        lock (_lock)
        {
            switch (kind)
            {
                case Event.RunPodSandbox:
                    PodFor(pod, null);
                    break;
                case Event.RemoveContainer when container is not null:
                    updates = Remove(container.Id);
                    break;
                case Event.RemovePodSandbox:
                    updates = RemovePod(pod);
                    break;
            }
            if (kind is Event.RemoveContainer or Event.RemovePodSandbox)
            {
                // A lost release only leaks CPUs until the next save or Synchronize; nothing to undo.
                TrySave();
            }
        }
        if (updates.Count > 0)
        {
            // Never awaited inside the event: the runtime holds its lock until we answer (spec §7.5).
            _ = _runtime?.UpdateContainersAsync(updates);
            _log.Write(ProtocolLogLevel.Info, $"{kind}: shared pools widened, {updates.Count} container(s) updated");
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask UpdatePodSandboxAsync(PodSandbox pod, LinuxResources? overhead, LinuxResources? resources, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        lock (_lock)
        {
            if (_pods.TryGetValue(pod.Id, out PodState? state))
            {
                state.Sandbox = pod;
            }
        }
        _log.Write(ProtocolLogLevel.Info, $"pod {pod.Namespace}/{pod.Name}: pod-level resources changed; in-place pod resize is not applied by this version");
        return ValueTask.CompletedTask;
    }

    public ValueTask ShutdownAsync(CancellationToken cancellationToken)
    {
        _log.Write(ProtocolLogLevel.Info, "runtime asked for shutdown");
        return ValueTask.CompletedTask;
    }

    // ---- state ------------------------------------------------------------------------------------

    private PodState PodFor(PodSandbox sandbox, Container? anyContainer)
    {
        if (!_pods.TryGetValue(sandbox.Id, out PodState? state))
        {
            state = new PodState(sandbox, NriModelMapper.ToPodSpec(sandbox, anyContainer));
            _pods[sandbox.Id] = state;
        }
        return state;
    }

    private bool TryAdmit(PodSandbox sandbox, Container container, out ContainerDecision decision, out string? error)
    {
        decision = default;
        error = null;
        if (_engine is null || NriModelMapper.IsOptedOut(sandbox))
        {
            return true;
        }
        PodState pod;
        ContainerSpec spec;
        try
        {
            pod = PodFor(sandbox, container);
            spec = NriModelMapper.ToContainerSpec(sandbox, container, pod.Spec.Qos, _memoryCapacityBytes, out string? problem);
            if (problem is not null)
            {
                _log.Write(ProtocolLogLevel.Warning, $"pod {sandbox.Namespace}/{sandbox.Name}: {problem}");
            }
        }
        catch (FormatException e)
        {
            error = $"pod {sandbox.Namespace}/{sandbox.Name}: {e.Message}";
            return false;
        }
        bool known = pod.Spec.Containers.Exists(c => c.Name == spec.Name);
        if (!known)
        {
            pod.Spec.Containers.Add(spec);
        }
        bool sharedInUse = _engine.Cpu?.NodeSharedContainerCount > 0;
        if (!_engine.TryAdmitContainer(pod.Spec, known ? pod.Spec.Containers.Find(c => c.Name == spec.Name)! : spec, container.Id, sharedInUse, out decision, out error))
        {
            if (!known)
            {
                pod.Spec.Containers.Remove(spec);
            }
            return false;
        }
        _containers[container.Id] = new TrackedContainer(container.Id, pod, spec);
        _applied[container.Id] = decision.Cpu.Cpus;
        return true;
    }

    private IReadOnlyList<ContainerUpdate> Remove(string containerId)
    {
        _applied.Remove(containerId);
        if (_engine is null)
        {
            _containers.Remove(containerId);
            return [];
        }
        if (_containers.Remove(containerId, out TrackedContainer? state))
        {
            _engine.ReleaseContainer(state.Pod.Spec.Uid, state.Spec.Name, containerId);
        }
        else if (_engine.TryFindContainer(containerId, out string podUid, out string name))
        {
            // Restored from the state file: no event of this process named it before.
            _engine.ReleaseContainer(podUid, name, containerId);
        }
        else
        {
            return [];
        }
        return PendingUpdates(exceptId: null);
    }

    private IReadOnlyList<ContainerUpdate> RemovePod(PodSandbox sandbox)
    {
        if (_pods.Remove(sandbox.Id, out PodState? pod))
        {
            foreach (TrackedContainer container in _containers.Values.Where(c => c.Pod == pod).ToList())
            {
                _containers.Remove(container.Id);
                _applied.Remove(container.Id);
                _engine?.ReleaseContainer(pod.Spec.Uid, container.Spec.Name, container.Id);
            }
        }
        if (_engine is null)
        {
            return [];
        }
        // Entries whose runtime container is gone without a RemoveContainer event, and entries
        // restored from the state file: release by pod UID and name.
        if (_engine.Cpu is { } cpu)
        {
            foreach ((ContainerKey key, string id) in cpu.Containers.Where(p => string.Equals(p.Key.PodUid, sandbox.Uid, StringComparison.Ordinal))
                         .Select(p => (p.Key, p.Value.ContainerId)).ToList())
            {
                _applied.Remove(id);
                _engine.ReleaseContainer(key.PodUid, key.Name, null);
            }
        }
        _engine.ForgetPod(sandbox.Uid);
        _podsWithoutQuota.Remove(sandbox.Uid);
        if (_qosAccounting is not null && ApplyQosPlan(_qosAccounting.PlanRemovePod(sandbox.Uid), $"pod {sandbox.Namespace}/{sandbox.Name} removal"))
        {
            _qosAccounting.RemovePod(sandbox.Uid);
        }
        return PendingUpdates(exceptId: null);
    }

    /// <summary>Updates for every managed container whose cpuset is no longer what it was given.</summary>
    private List<ContainerUpdate> PendingUpdates(string? exceptId)
    {
        var updates = new List<ContainerUpdate>();
        if (_engine?.Cpu is null)
        {
            return updates;
        }
        foreach (KeyValuePair<ContainerKey, ContainerCpuEntry> pair in _engine.Cpu.Containers)
        {
            string id = pair.Value.ContainerId;
            if (id == exceptId || id.Length == 0)
            {
                continue;
            }
            CpuSet now = _engine.EffectiveCpus(pair.Key.PodUid, pair.Key.Name);
            if ((_applied.TryGetValue(id, out CpuSet applied) && now == applied) || now.IsEmpty)
            {
                continue;
            }
            _applied[id] = now;
            updates.Add(new ContainerUpdate
            {
                ContainerId = id,
                Linux = new LinuxContainerUpdate { Resources = new LinuxResources { Cpu = new LinuxCPU { Cpus = now.ToString() } } },
            });
        }
        return updates;
    }

    private static string Describe(PodSandbox pod, Container container) => $"{pod.Namespace}/{pod.Name}/{container.Name} ({container.Id})";
}
