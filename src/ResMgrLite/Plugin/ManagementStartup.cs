using ResMgrLite.Config;
using ResMgrLite.Config.Settings;
using ResMgrLite.Config.Sources;
using ResMgrLite.Engine;
using ResMgrLite.Engine.MemoryQos;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.State;
using ResMgrLite.Engine.Topology;
using ResMgrLite.Engine.TopologyManagement;
using ResMgrLite.Host.Cgroups;
using ResMgrLite.Host.Files;
using ResMgrLite.Host.State;
using ResMgrLite.Host.Sysfs;
using ResMgrLite.Nri;

namespace ResMgrLite.Plugin;

/// <summary>
/// Configure's work: the machine, the configuration (every problem logged with its place), and on
/// first success the engine and its effects, with the state file restored. A broken configuration
/// never fails Configure (containerd 1.7.24 would exit): the plugin stays passive instead.
/// </summary>
internal static class ManagementStartup
{
    /// <summary>
    /// The machine and the validated configuration, or null when either cannot be had: logged, and
    /// before the first start resource management goes passive through <paramref name="status"/>
    /// (a running engine keeps its configuration).
    /// </summary>
    public static (MachineTopology Machine, ResMgrSettings Settings)? LoadConfiguration(HandlerOptions options, string configText, PluginLog log, ResourceManagementStatus status, bool running)
    {
        MachineTopology machine;
        try
        {
            machine = SysfsTopologyDiscovery.Discover(options.SysfsRoot);
        }
        catch (TopologyDiscoveryException e)
        {
            if (running)
            {
                log.Write(ProtocolLogLevel.Error, $"cannot read the machine topology: {e.Message}; keeping the running configuration");
            }
            else
            {
                status.Passive(PassiveReason.MachineUnreadable, $"cannot read the machine topology, resource management is off: {e.Message}");
            }
            return null;
        }
        var documents = new List<ConfigDocument>();
        if (configText.Length > 0)
        {
            documents.Add(ConfigDocument.FromToml(configText, options.ConfigSourceName));
        }
        else if (options.ConfigFile is { } file)
        {
            documents.Add(ConfigFileReader.Read(file));
        }
        documents.Add(ConfigDocument.FromEnvironment(options.Environment));
        ConfigLoadResult result = ConfigLoader.Load(documents, MachineModel.ToFacts(machine));
        if (result.IsValid && result.Settings is { } settings)
        {
            return (machine, settings);
        }
        foreach (ConfigProblem problem in result.Problems)
        {
            log.Write(ProtocolLogLevel.Error, $"configuration: {problem}");
        }
        if (running)
        {
            log.Write(ProtocolLogLevel.Error, "configuration is invalid: keeping the running configuration");
        }
        else
        {
            status.Passive(PassiveReason.InvalidConfiguration,
                $"configuration is invalid: resource management stays off until it is fixed ({result.Problems.Count} problem(s), the first: {(result.Problems.Count > 0 ? result.Problems[0] : null)}); after fixing it, {ConfigValidationReport.Recovery}");
        }
        return null;
    }

    /// <summary>
    /// Starts resource management and marks it active; null, with resource management passive and
    /// why, when the engine cannot start or the state file cannot be trusted.
    /// </summary>
    public static ResourceManagement? TryStart(HandlerOptions options, PluginLog log, ResourceManagementStatus status, MachineTopology machine, ResMgrSettings settings, AllocationFeed feed)
    {
        // One look at the host's cgroups and one pod-cgroup naming serve both memory QoS and the pod quota.
        CgroupSituation cgroups = CgroupDetector.Detect(options.ProcRoot, options.SysfsRoot);
        long memoryCapacityBytes = MachineModel.ToFacts(machine).TotalMemoryBytes;
        MemoryQosOptions? memoryQos = MemoryQosFor(settings, cgroups, memoryCapacityBytes, options.ProcRoot, log);
        EngineStartResult started = EngineFactory.Start(machine, settings, memoryQos);
        if (started.Engine is not { } engine)
        {
            status.Passive(PassiveReason.StartFailed, $"cannot start the resource managers, resource management is off: {string.Join("; ", started.Problems)}");
            return null;
        }
        ApplyOperatorSettings(options, log, settings, machine);
        var state = new StateKeeper(new CheckpointStore(settings.StateDirectory), log);
        if (!state.TryRestore(engine, out EngineSnapshot? restored, out string? untrusted))
        {
            status.Passive(PassiveReason.UntrustedState, ResourceManagementStatus.UntrustedState(untrusted, state.FilePath));
            return null;
        }
        PodCgroupEffects podCgroups = PodCgroupEffects.Create(cgroups, settings, memoryQos is not null, options.SysfsRoot, log);
        var management = new ResourceManagement(engine, new PodTracker(memoryCapacityBytes) { Built = engine.ApplyBudgetInForce }, new AdjustmentBuilder(new CpusetLedger()),
            podCgroups, state, new StaleStateReconciler(podCgroups), feed, log)
        {
            Settings = settings,
        };
        options.Observability?.Attach(management);
        if (restored is not null)
        {
            // The file is written before the answers that depend on it leave, so it holds what the
            // runtime was given; whether that landed is unknown until Synchronize or a reconcile.
            var texts = new CpusetTexts();
            foreach ((ContainerKey key, string id) in engine.ListContainers())
            {
                if (id.Length > 0 && engine.Cpu is not null)
                {
                    management.Ledger.RecordUnconfirmed(id, texts.Of(engine.EffectiveCpus(key)));
                }
            }
        }
        log.Write(ProtocolLogLevel.Info,
            $"resource management on: topology manager {TopologyManagerOptions.PolicyName(engine.TopologyManager.Policy)}/{engine.TopologyManager.Scope}, " +
            $"CPU manager {(engine.Cpu is null ? "none" : $"static, reserved {engine.Cpu.Reserved}, shared pool {engine.Cpu.DefaultSet}")}, " +
            $"memory manager {(settings.MemoryManagerPolicy == MemoryManagerPolicy.Static ? "Static" : "None")}, " +
            $"memory QoS {(memoryQos is null ? "off" : memoryQos.ReservationPolicy.ToString())}");
        status.Activate();
        // What the parents' files hold is unknown at start: write them from the (restored) accounting.
        podCgroups.ResyncParents(engine);
        return management;
    }

    /// <summary>Memory QoS settings, or null when off; it needs cgroup v2 (unified keys fail on v1 hosts).</summary>
    private static MemoryQosOptions? MemoryQosFor(ResMgrSettings settings, CgroupSituation cgroups, long memoryCapacityBytes, string procRoot, PluginLog log)
    {
        if (!settings.MemoryQosEnabled)
        {
            return null;
        }
        if (cgroups.Mode != CgroupMode.Unified)
        {
            log.Write(ProtocolLogLevel.Warning, $"memory QoS is configured but this host is not cgroup v2 only ({cgroups.Mode}): memory QoS stays off");
            return null;
        }
        WarnOnOldKernel(procRoot, log);
        return EngineFactory.MemoryQosOptionsFor(settings, memoryCapacityBytes);
    }

    /// <summary>memory.high throttling misbehaves before Linux 5.9 (KEP-2570): the kubelet warns, so do we.</summary>
    private static void WarnOnOldKernel(string procRoot, PluginLog log)
    {
        string? release;
        try
        {
            release = HostFile.TryReadText(Path.Combine(procRoot, "sys/kernel/osrelease"), HostFileKind.KernelAttribute)?.Trim();
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
            log.Write(ProtocolLogLevel.Warning, $"memory QoS on kernel {release}: kernels before 5.9 can stall workloads under memory.high throttling (KEP-2570); upgrade the kernel or turn memory QoS off");
        }
    }

    /// <summary>The operator-facing settings of a valid configuration: the log (target, format, level) and the metrics and NodeResourceTopology outputs.</summary>
    public static void ApplyOperatorSettings(HandlerOptions options, PluginLog log, ResMgrSettings settings, MachineTopology machine)
    {
        log.Apply(settings);
        options.Observability?.Apply(settings, MachineModel.MemoryNodes(machine));
    }
}
