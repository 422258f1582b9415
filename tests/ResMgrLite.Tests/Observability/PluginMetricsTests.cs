using ResMgrLite.Engine.Resize;
using ResMgrLite.Hooks;
using ResMgrLite.Observability;
using ResMgrLite.Observability.Metrics;
using ResMgrLite.Plugin;

namespace ResMgrLite.Tests.Observability;

/// <summary>The metric set after a known sequence of effects, read back through a strict parser of both formats.</summary>
public sealed class PluginMetricsTests
{
    private static PluginMetrics Sequence()
    {
        var metrics = new PluginMetrics("1.2.3", new ProcessMetrics());
        metrics.OnTopologyAdmission(0.3, admitted: true);
        metrics.OnTopologyAdmission(1.7, admitted: false);
        metrics.OnCpuAllocation(AllocationSource.Node, succeeded: true);
        metrics.OnCpuAllocation(AllocationSource.Pod, succeeded: true);
        metrics.OnCpuAllocation(AllocationSource.Node, succeeded: false);
        metrics.OnMemoryAllocation(AllocationSource.Node, succeeded: true);
        metrics.OnContainerAssignment(ManagedResource.Cpu, AssignmentType.NodeExclusive);
        metrics.OnContainerAssignment(ManagedResource.Cpu, AssignmentType.PodShared);
        metrics.OnContainerAssignment(ManagedResource.Cpu, AssignmentType.PodShared);
        metrics.SetCpuPools(sharedPoolCpus: 5, exclusiveCpus: 2);
        metrics.SetMemoryQos(guaranteedMinBytes: 1L << 30, burstableLowBytes: 209715200);
        metrics.OnNriRequest(NriRequestKind.CreateContainer, 0.00004);
        metrics.OnNriRequest(NriRequestKind.CreateContainer, 0.003);
        metrics.OnNriRequest(NriRequestKind.RemoveContainer, 3);
        metrics.OnStateSave(0.0007, succeeded: true);
        metrics.OnStateSave(0.02, succeeded: false);
        metrics.OnContainerUpdates(ContainerUpdateResult.Applied, 3);
        metrics.OnContainerUpdates(ContainerUpdateResult.Failed, 1);
        metrics.OnResizeDecision(ResizeOutcome.Deferred);
        metrics.OnHookRun("50-notify", HookResult.Succeeded);
        metrics.OnHookRun("50-notify", HookResult.TimedOut);
        metrics.SetRuntime("containerd 1.7.24", "v0.6");
        metrics.OnResourceManagement(PassiveReason.UntrustedState);
        return metrics;
    }

    [Fact]
    public void Prometheus_text_has_the_kubelet_names_and_the_values_of_the_sequence()
    {
        string text = Sequence().Registry.Render(ExpositionFormat.Prometheus);
        var parsed = StrictExpositionParser.Parse(text, openMetrics: false);

        Assert.Equal(1, parsed["resource_manager_allocations_total{resource_name=\"cpu\",source=\"node\"}"]);
        Assert.Equal(1, parsed["resource_manager_allocations_total{resource_name=\"cpu\",source=\"pod\"}"]);
        Assert.Equal(1, parsed["resource_manager_allocation_errors_total{resource_name=\"cpu\",source=\"node\"}"]);
        Assert.Equal(1, parsed["resource_manager_allocations_total{resource_name=\"memory\",source=\"node\"}"]);
        Assert.Equal(0, parsed["resource_manager_allocation_errors_total{resource_name=\"memory\",source=\"pod\"}"]);
        Assert.Equal(2, parsed["resource_manager_container_assignments{assignment_type=\"pod_shared\",resource_name=\"cpu\"}"]);
        Assert.Equal(1, parsed["resource_manager_container_assignments{assignment_type=\"node_exclusive\",resource_name=\"cpu\"}"]);
        Assert.Equal("counter", parsed.Families["resource_manager_container_assignments"].Type);
        Assert.Equal(3, parsed["kubelet_cpu_manager_pinning_requests_total{}"]);
        Assert.Equal(1, parsed["kubelet_cpu_manager_pinning_errors_total{}"]);
        Assert.Equal(5000, parsed["kubelet_cpu_manager_shared_pool_size_millicores{}"]);
        Assert.Equal(2, parsed["kubelet_cpu_manager_exclusive_cpu_allocation_count{}"]);
        Assert.Equal(1, parsed["kubelet_memory_manager_pinning_requests_total{}"]);
        Assert.Equal(0, parsed["kubelet_memory_manager_pinning_errors_total{}"]);
        Assert.Equal(1L << 30, parsed["kubelet_memory_qos_node_memory_min_bytes{}"]);
        Assert.Equal(209715200, parsed["kubelet_memory_qos_node_memory_low_bytes{}"]);
        Assert.Equal(2, parsed["kubelet_topology_manager_admission_requests_total{}"]);
        Assert.Equal(1, parsed["kubelet_topology_manager_admission_errors_total{}"]);
        Assert.Equal(2, parsed["kubelet_topology_manager_admission_duration_ms_count{}"]);
        Assert.Equal(1, parsed["kubelet_topology_manager_admission_duration_ms_bucket{le=\"0.4\"}"]);
        Assert.Equal(2, parsed["kubelet_topology_manager_admission_duration_ms_bucket{le=\"3.2\"}"]);
        Assert.Equal(1, parsed["resmgrlite_nri_request_duration_seconds_bucket{event=\"CreateContainer\",le=\"0.0001\"}"]);
        Assert.Equal(2, parsed["resmgrlite_nri_request_duration_seconds_bucket{event=\"CreateContainer\",le=\"0.005\"}"]);
        Assert.Equal(0, parsed["resmgrlite_nri_request_duration_seconds_bucket{event=\"RemoveContainer\",le=\"2\"}"]);
        Assert.Equal(1, parsed["resmgrlite_nri_request_duration_seconds_bucket{event=\"RemoveContainer\",le=\"+Inf\"}"]);
        Assert.Equal(3.00304, parsed["resmgrlite_nri_request_duration_seconds_sum{event=\"CreateContainer\"}"] + parsed["resmgrlite_nri_request_duration_seconds_sum{event=\"RemoveContainer\"}"], 9);
        Assert.Equal(0, parsed["resmgrlite_resource_management_active{reason=\"untrusted_state\"}"]);
        Assert.Equal(1, parsed["resmgrlite_state_saves_total{result=\"ok\"}"]);
        Assert.Equal(1, parsed["resmgrlite_state_saves_total{result=\"failed\"}"]);
        Assert.Equal(2, parsed["resmgrlite_state_save_duration_seconds_count{}"]);
        Assert.Equal(3, parsed["resmgrlite_container_updates_total{result=\"applied\"}"]);
        Assert.Equal(1, parsed["resmgrlite_container_updates_total{result=\"failed\"}"]);
        Assert.Equal(1, parsed["resmgrlite_resize_decisions_total{outcome=\"deferred\"}"]);
        Assert.Equal(1, parsed["resmgrlite_hook_runs_total{hook=\"50-notify\",result=\"timed-out\"}"]);
        Assert.Equal(1, parsed["resmgrlite_build_info{nri_level=\"v0.6\",runtime=\"containerd 1.7.24\",version=\"1.2.3\"}"]);
        Assert.True(parsed["process_resident_memory_bytes{}"] > 1 << 20);
        Assert.True(parsed["process_open_fds{}"] >= 3);
        Assert.True(parsed["process_start_time_seconds{}"] > 1.6e9);
        Assert.True(parsed["process_cpu_seconds_total{}"] > 0);
        Assert.Equal("Duration in milliseconds to serve a pod admission request.", parsed.Families["kubelet_topology_manager_admission_duration_ms"].Help);
    }

    [Fact]
    public void OpenMetrics_names_counter_families_without_total_gives_units_and_ends_with_eof()
    {
        string text = Sequence().Registry.Render(ExpositionFormat.OpenMetrics);
        var parsed = StrictExpositionParser.Parse(text, openMetrics: true);

        Assert.EndsWith("# EOF\n", text, StringComparison.Ordinal);
        Assert.Equal("counter", parsed.Families["kubelet_cpu_manager_pinning_requests"].Type);
        Assert.Equal(3, parsed["kubelet_cpu_manager_pinning_requests_total{}"]);
        // The kubelet's counter without _total gets a _total sample under its own family name.
        Assert.Equal("counter", parsed.Families["resource_manager_container_assignments"].Type);
        Assert.Equal(2, parsed["resource_manager_container_assignments_total{assignment_type=\"pod_shared\",resource_name=\"cpu\"}"]);
        Assert.Equal("seconds", parsed.Families["resmgrlite_nri_request_duration_seconds"].Unit);
        Assert.Equal("bytes", parsed.Families["kubelet_memory_qos_node_memory_min_bytes"].Unit);
        Assert.Equal("seconds", parsed.Families["process_cpu_seconds"].Unit);
        Assert.Equal(1, parsed["resmgrlite_nri_request_duration_seconds_bucket{event=\"CreateContainer\",le=\"0.0001\"}"]);
        Assert.Contains("le=\"2.0\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Active_drops_the_reason_label_and_label_values_are_escaped()
    {
        PluginMetrics metrics = Sequence();
        metrics.OnResourceManagement(PassiveReason.None);
        metrics.OnHookRun("we\"ird\\name\nx", HookResult.Failed);
        foreach (bool openMetrics in new[] { false, true })
        {
            string text = metrics.Registry.Render(openMetrics ? ExpositionFormat.OpenMetrics : ExpositionFormat.Prometheus);
            var parsed = StrictExpositionParser.Parse(text, openMetrics);
            Assert.Equal(1, parsed["resmgrlite_resource_management_active{}"]);
            Assert.Equal(1, parsed[(openMetrics ? "resmgrlite_hook_runs_total" : "resmgrlite_hook_runs_total") + "{hook=\"we\"ird\\name\nx\",result=\"failed\"}"]);
        }
    }

    [Fact]
    public void Updates_do_not_allocate()
    {
        PluginMetrics metrics = Sequence();
        metrics.OnHookRun("h", HookResult.Succeeded);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            metrics.OnTopologyAdmission(0.1, admitted: true);
            metrics.OnCpuAllocation(AllocationSource.Pod, succeeded: true);
            metrics.OnContainerAssignment(ManagedResource.Memory, AssignmentType.PodExclusive);
            metrics.SetCpuPools(3, 4);
            metrics.OnNriRequest(NriRequestKind.StopContainer, 0.001);
            metrics.OnStateSave(0.001, succeeded: true);
            metrics.OnContainerUpdates(ContainerUpdateResult.Retried, 2);
            metrics.OnHookRun("h", HookResult.Succeeded);
            metrics.OnResourceManagement(PassiveReason.None);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Every_family_a_scraper_sees_is_defined_once_with_help()
    {
        var metrics = new PluginMetrics("0.1.0", new ProcessMetrics());
        var names = metrics.Registry.Families.Select(f => f.Name).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        Assert.All(metrics.Registry.Families, f => Assert.False(string.IsNullOrWhiteSpace(f.Help)));
        Assert.Throws<ArgumentException>(() => metrics.Registry.Add(new CounterFamily("resmgrlite_state_saves_total", "again")));
    }
}
