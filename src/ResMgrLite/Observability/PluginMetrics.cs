using ResMgrLite.Engine.Resize;
using ResMgrLite.Observability.Metrics;
using ResMgrLite.Plugin;

namespace ResMgrLite.Observability;

/// <summary>
/// Every metric the plugin exposes, defined once, with one method per effect so the event path
/// makes one call per decision. The kubelet's metrics keep the kubelet's names, types, labels and
/// help texts (pkg/kubelet/metrics, v1.36), so dashboards and alerts written for the kubelet's
/// resource managers work unchanged; the plugin's own metrics start with <c>resmgrlite_</c>.
/// All label sets are created here, so no update allocates (the hook label, learned from the hook
/// directory, allocates once per new hook).
/// </summary>
internal sealed class PluginMetrics
{
    /// <summary>The runtime cancels an NRI request after 2 s (docs/nri-rules.md): the buckets end there.</summary>
    public static readonly double[] NriRequestBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2];

    public static readonly double[] StateSaveBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

    /// <summary>The kubelet's buckets for <c>kubelet_topology_manager_admission_duration_ms</c>: ExponentialBuckets(.05, 2, 15).</summary>
    public static readonly double[] TopologyAdmissionBuckets = Histogram.ExponentialBounds(0.05, 2, 15);

    private static readonly string[] ResourceNames = ["cpu", "memory"];
    private static readonly string[] SourceNames = ["pod", "node"];
    private static readonly string[] AssignmentTypeNames = ["node_exclusive", "pod_exclusive", "pod_shared"];
    private static readonly string[] UpdateResultNames = ["applied", "retried", "failed"];
    private static readonly string[] ResizeOutcomeNames = [ResizeOutcomes.Name(ResizeOutcome.Unchanged), ResizeOutcomes.Name(ResizeOutcome.Applied), ResizeOutcomes.Name(ResizeOutcome.Deferred), ResizeOutcomes.Name(ResizeOutcome.Infeasible)];
    private static readonly string[] SaveResultNames = ["ok", "failed"];

    internal static readonly string[] NriRequestNames =
    [
        "Configure", "Synchronize", "Shutdown", "RunPodSandbox", "StopPodSandbox", "RemovePodSandbox", "UpdatePodSandbox",
        "CreateContainer", "StartContainer", "UpdateContainer", "StopContainer", "RemoveContainer",
        "PostCreateContainer", "PostStartContainer", "PostUpdateContainer", "PostUpdatePodSandbox",
    ];

    private readonly CounterFamily _allocations;
    private readonly CounterFamily _allocationErrors;
    private readonly CounterFamily _containerAssignments;
    private readonly GaugeFamily _memoryQosMin;
    private readonly GaugeFamily _memoryQosLow;
    private readonly CounterFamily _cpuPinningRequests;
    private readonly CounterFamily _cpuPinningErrors;
    private readonly GaugeFamily _sharedPoolMillicores;
    private readonly GaugeFamily _exclusiveCpus;
    private readonly CounterFamily _memoryPinningRequests;
    private readonly CounterFamily _memoryPinningErrors;
    private readonly CounterFamily _topologyAdmissions;
    private readonly CounterFamily _topologyAdmissionErrors;
    private readonly HistogramFamily _topologyAdmissionDuration;
    private readonly HistogramFamily _nriRequestDuration;
    private readonly ConditionFamily _active;
    private readonly CounterFamily _stateSaves;
    private readonly HistogramFamily _stateSaveDuration;
    private readonly CounterFamily _containerUpdates;
    private readonly CounterFamily _resizeDecisions;
    private readonly OpenCounterFamily _hookRuns;
    private readonly InfoFamily _buildInfo;

    public PluginMetrics(string version, ProcessMetrics? process = null)
    {
        Registry = new MetricsRegistry();
        MetricsRegistry r = Registry;

        // KEP-5526 pod-level resource managers (kubelet v1.36, ALPHA).
        _allocations = r.Add(new CounterFamily("resource_manager_allocations_total",
            "Number of exclusive resource allocations performed by a resource manager.",
            ["resource_name", "source"], [ResourceNames, SourceNames]));
        _allocationErrors = r.Add(new CounterFamily("resource_manager_allocation_errors_total",
            "Number of errors encountered during exclusive resource allocation.",
            ["resource_name", "source"], [ResourceNames, SourceNames]));
        // A counter without _total, exactly as the kubelet names it.
        _containerAssignments = r.Add(new CounterFamily("resource_manager_container_assignments",
            "Number of containers with a specific type of resource assignment.",
            ["resource_name", "assignment_type"], [ResourceNames, AssignmentTypeNames]));

        // Memory QoS (kubelet v1.36, ALPHA).
        _memoryQosMin = r.Add(new GaugeFamily("kubelet_memory_qos_node_memory_min_bytes", "Total memory.min in bytes for Guaranteed pods", "bytes"));
        _memoryQosLow = r.Add(new GaugeFamily("kubelet_memory_qos_node_memory_low_bytes", "Total memory.low in bytes for Burstable pods", "bytes"));

        // CPU, memory and topology managers (kubelet, ALPHA).
        _cpuPinningRequests = r.Add(new CounterFamily("kubelet_cpu_manager_pinning_requests_total", "The number of cpu core allocations which required pinning."));
        _cpuPinningErrors = r.Add(new CounterFamily("kubelet_cpu_manager_pinning_errors_total", "The number of cpu core allocations which required pinning failed."));
        _sharedPoolMillicores = r.Add(new GaugeFamily("kubelet_cpu_manager_shared_pool_size_millicores", "The size of the shared CPU pool for non-guaranteed QoS pods, in millicores."));
        _exclusiveCpus = r.Add(new GaugeFamily("kubelet_cpu_manager_exclusive_cpu_allocation_count", "The total number of CPUs exclusively allocated to containers running on this node"));
        _memoryPinningRequests = r.Add(new CounterFamily("kubelet_memory_manager_pinning_requests_total", "The number of memory pages allocations which required pinning."));
        _memoryPinningErrors = r.Add(new CounterFamily("kubelet_memory_manager_pinning_errors_total", "The number of memory pages allocations which required pinning that failed."));
        _topologyAdmissions = r.Add(new CounterFamily("kubelet_topology_manager_admission_requests_total", "The number of admission requests where resources have to be aligned."));
        _topologyAdmissionErrors = r.Add(new CounterFamily("kubelet_topology_manager_admission_errors_total", "The number of admission request failures where resources could not be aligned."));
        _topologyAdmissionDuration = r.Add(new HistogramFamily("kubelet_topology_manager_admission_duration_ms", "Duration in milliseconds to serve a pod admission request.", TopologyAdmissionBuckets));

        // The plugin's own.
        _nriRequestDuration = r.Add(new HistogramFamily("resmgrlite_nri_request_duration_seconds",
            "Time from an NRI request reaching the plugin's handler to its answer, per NRI method; the runtime gives up after 2 s.",
            NriRequestBuckets, "seconds", ["event"], [NriRequestNames]));
        _active = r.Add(new ConditionFamily("resmgrlite_resource_management_active",
            "1 while the resource managers decide container placement; 0 with the reason while the plugin answers every event without changes.",
            "reason", PassiveReasonLabels(), (int)PassiveReason.NotConfigured));
        _stateSaves = r.Add(new CounterFamily("resmgrlite_state_saves_total",
            "Writes of the state file (docs/state.md), by result; a failed write refuses the container that caused it.",
            ["result"], [SaveResultNames]));
        _stateSaveDuration = r.Add(new HistogramFamily("resmgrlite_state_save_duration_seconds",
            "Time to write the state file durably (temp file, fsync, rename, directory fsync).", StateSaveBuckets, "seconds"));
        _containerUpdates = r.Add(new CounterFamily("resmgrlite_container_updates_total",
            "Container resource updates sent to the runtime (cpusets of shared pools that shrank or widened), by result.",
            ["result"], [UpdateResultNames]));
        _resizeDecisions = r.Add(new CounterFamily("resmgrlite_resize_decisions_total",
            "In-place pod resize decisions, by outcome.", ["outcome"], [ResizeOutcomeNames]));
        _hookRuns = r.Add(new OpenCounterFamily("resmgrlite_hook_runs_total",
            "Runs of operator hooks, by hook and result.", ["hook", "result"]));
        _buildInfo = r.Add(new InfoFamily("resmgrlite_build_info",
            "Always 1: the plugin's version, the NRI level of the runtime it talks to, and that runtime.",
            ["version", "nri_level", "runtime"], [version, "", ""]));
        process?.Register(r);
    }

    public MetricsRegistry Registry { get; }

    /// <summary>
    /// One container through the Topology Manager (the kubelet counts per pod admission; NRI
    /// delivers containers): the request, its duration in milliseconds as the kubelet observes it,
    /// and a refusal when no alignment was possible.
    /// </summary>
    public void OnTopologyAdmission(double milliseconds, bool admitted)
    {
        _topologyAdmissions.Single.Increment();
        _topologyAdmissionDuration.Single.Observe(milliseconds);
        if (!admitted)
        {
            _topologyAdmissionErrors.Single.Increment();
        }
    }

    /// <summary>
    /// An exclusive CPU allocation was needed (a Guaranteed container with integral CPUs, or a pod
    /// budget): the kubelet's pinning counters and the KEP-5526 allocation counters by source.
    /// </summary>
    public void OnCpuAllocation(AllocationSource source, bool succeeded)
    {
        _cpuPinningRequests.Single.Increment();
        OnAllocation(ManagedResource.Cpu, source, succeeded);
        if (!succeeded)
        {
            _cpuPinningErrors.Single.Increment();
        }
    }

    /// <summary>Like <see cref="OnCpuAllocation"/> for the Memory Manager's NUMA blocks.</summary>
    public void OnMemoryAllocation(AllocationSource source, bool succeeded)
    {
        _memoryPinningRequests.Single.Increment();
        OnAllocation(ManagedResource.Memory, source, succeeded);
        if (!succeeded)
        {
            _memoryPinningErrors.Single.Increment();
        }
    }

    /// <summary>A container got an assignment of the given type (KEP-5526 counter, cumulative like the kubelet's).</summary>
    public void OnContainerAssignment(ManagedResource resource, AssignmentType type) =>
        _containerAssignments[(int)resource, (int)type].Increment();

    /// <summary>The CPU pools after a change: the node shared pool in millicores and the CPUs held exclusively.</summary>
    public void SetCpuPools(int sharedPoolCpus, int exclusiveCpus)
    {
        _sharedPoolMillicores.Single.Set(sharedPoolCpus * 1000.0);
        _exclusiveCpus.Single.Set(exclusiveCpus);
    }

    /// <summary>Memory QoS protection after a change: Σ memory.min of Guaranteed pods and Σ memory.low of Burstable pods (docs/kubelet-rules.md §6.6).</summary>
    public void SetMemoryQos(long guaranteedMinBytes, long burstableLowBytes)
    {
        _memoryQosMin.Single.Set(guaranteedMinBytes);
        _memoryQosLow.Single.Set(burstableLowBytes);
    }

    /// <summary>One NRI request answered after <paramref name="seconds"/>.</summary>
    public void OnNriRequest(NriRequestKind kind, double seconds) => _nriRequestDuration[(int)kind].Observe(seconds);

    /// <summary>Resource management is on (<see cref="PassiveReason.None"/>) or off for <paramref name="reason"/>.</summary>
    public void OnResourceManagement(PassiveReason reason)
    {
        if (reason == PassiveReason.None)
        {
            _active.SetTrue();
        }
        else
        {
            _active.SetFalse((int)reason);
        }
    }

    /// <summary>The <c>reason</c> labels indexed by <see cref="PassiveReason"/> (the one for None is never shown).</summary>
    private static string[] PassiveReasonLabels()
    {
        var labels = new string[(int)PassiveReason.UntrustedState + 1];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = ResourceManagementStatus.Label((PassiveReason)i);
        }
        return labels;
    }

    public void OnStateSave(double seconds, bool succeeded)
    {
        _stateSaves[succeeded ? 0 : 1].Increment();
        _stateSaveDuration.Single.Observe(seconds);
    }

    public void OnContainerUpdates(ContainerUpdateResult result, int count) => _containerUpdates[(int)result].Add(count);

    public void OnResizeDecision(ResizeOutcome outcome) => _resizeDecisions[(int)outcome].Increment();

    public void OnHookRun(string hook, Hooks.HookResult result) => _hookRuns.Increment(hook, Hooks.HookResultNames.Of(result));

    /// <summary>The runtime as Configure named it (e.g. <c>containerd 1.7.24</c>) and the NRI level the plugin speaks with it.</summary>
    public void SetRuntime(string runtime, string nriLevel) =>
        _buildInfo.Set([_buildInfo.Values[0], nriLevel, runtime]);

    private void OnAllocation(ManagedResource resource, AllocationSource source, bool succeeded)
    {
        if (succeeded)
        {
            _allocations[(int)resource, (int)source].Increment();
        }
        else
        {
            _allocationErrors[(int)resource, (int)source].Increment();
        }
    }
}
