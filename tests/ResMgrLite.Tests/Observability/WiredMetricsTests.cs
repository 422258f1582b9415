using System.Text.Json;
using ResMgrLite.Nri;
using ResMgrLite.Nri.Api;
using ResMgrLite.Observability;
using ResMgrLite.Observability.Metrics;
using ResMgrLite.Plugin;
using ResMgrLite.Tests.Plugin;
using ResMgrLite.TestSupport;
using ResMgrLite.TestSupport.Sysfs;

namespace ResMgrLite.Tests.Observability;

/// <summary>
/// The metrics and the NodeResourceTopology file as the real handler feeds them (dispatcher,
/// effects, <see cref="AllocationFeed"/>, state file), driven by a fake runtime through the same
/// boundary the NRI host uses, on a synthetic two-NUMA machine (2 × 4 cores × 2 threads, siblings
/// i and i+8, 16 GiB per node) with <see cref="NodeViewTests.Config"/>.
/// </summary>
public sealed class WiredMetricsTests : IDisposable
{
    private const long GiKiB = 1024 * 1024;

    private readonly string _directory = Directory.CreateTempSubdirectory("wired-metrics-").FullName;
    private readonly SysfsTree _machine = new SysfsMachineBuilder()
        .Sockets(2).CoresPerSocket(4).ThreadsPerCore(2)
        .MemoryPerNode(16 * GiKiB, 12 * GiKiB)
        .Build().WriteTree();

    private readonly List<int> _pushedBatches = [];

    public void Dispose()
    {
        _machine.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private string NrtFile => Path.Combine(_directory, "nrt.json");

    private sealed class RecordingRuntime(List<int> batches) : INriRuntime
    {
        public Task<UpdateContainersResult> UpdateContainersAsync(IReadOnlyList<ContainerUpdate> updates)
        {
            batches.Add(updates.Count);
            return Task.FromResult(UpdateContainersResult.AllApplied);
        }
    }

    private static (long Capacity, long Allocatable, long Available) Cpu(JsonElement document, string zone)
    {
        JsonElement cpu = document.GetProperty("zones").EnumerateArray().Single(z => z.GetProperty("name").GetString() == zone)
            .GetProperty("resources").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "cpu");
        return (cpu.GetProperty("capacity").GetInt64(), cpu.GetProperty("allocatable").GetInt64(), cpu.GetProperty("available").GetInt64());
    }

    private JsonDocument ReadNrt(PluginObservability observability)
    {
        observability.Nrt!.Flush();
        return JsonDocument.Parse(File.ReadAllBytes(NrtFile));
    }

    [Fact]
    public async Task Each_metric_has_the_value_of_a_known_event_sequence_and_the_nrt_file_follows_every_change()
    {
        string config = Path.Combine(_directory, "90-resmgrlite.conf");
        await File.WriteAllTextAsync(config, $"[state]\ndirectory = \"{_directory}/state\"\n[nrt]\nfile = \"{NrtFile}\"\nnodeName = \"worker-3\"\n" + NodeViewTests.Config);
        var log = new PluginLog(Path.Combine(_directory, "plugin.log"), ProtocolLogLevel.Debug);
        await using var observability = new PluginObservability(log);
        var handler = new ResourcePolicyHandler(log, new HandlerOptions(_machine.SysfsRoot, "test.conf", config, new System.Collections.Hashtable(), _machine.ProcRoot, observability));
        var runtime = new MeasuredEventHandler(handler, observability.Metrics, () => handler.Status.Now.Reason);
        var info = new NriRuntimeInfo("containerd", "2.1.9", "", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), NriApiLevel.V0_12);

        // Configure; a Burstable container on the shared pool; a Guaranteed one with 2 CPUs (the
        // Burstable one's cpuset shrinks, carried in the answer); a Guaranteed one no NUMA node can
        // hold (9 CPUs, 8 per node: the Topology Manager refuses it); removal of the 2-CPU one
        // (the shared pool widens at the next reconcile pass, pushed with UpdateContainers).
        await runtime.ConfigureAsync(new NriConfigureContext("", info, new RecordingRuntime(_pushedBatches)), CancellationToken.None);
        CreateContainerRequest burstable = PluginScenario.Burstable("b1", "ctr-b1");
        CreateContainerRequest pinned = PluginScenario.Guaranteed("g1", "ctr-g1", 2);
        CreateContainerRequest tooLarge = PluginScenario.Guaranteed("g2", "ctr-g2", 9);
        await runtime.CreateContainerAsync(burstable.Pod, burstable.Container, CancellationToken.None);
        CreateContainerResult created = await runtime.CreateContainerAsync(pinned.Pod, pinned.Container, CancellationToken.None);
        Assert.Single(created.Updates);
        string cpus = created.Adjustment!.Linux.Resources.Cpu.Cpus;
        Assert.Equal(2, Engine.CpuSet.Parse(cpus).Count);

        var whileHeld = StrictExpositionParser.Parse(observability.Metrics.Registry.Render(ExpositionFormat.Prometheus), openMetrics: false);
        Assert.Equal(13_000, whileHeld["kubelet_cpu_manager_shared_pool_size_millicores{}"]);
        Assert.Equal(2, whileHeld["kubelet_cpu_manager_exclusive_cpu_allocation_count{}"]);
        using (JsonDocument document = ReadNrt(observability))
        {
            // single-numa-node puts the 2 CPUs on node 0 (the first that fits): 8 CPUs, CPU 0 reserved.
            Assert.Equal((8, 7, 5), Cpu(document.RootElement, "node-0"));
            Assert.Equal((8, 8, 8), Cpu(document.RootElement, "node-1"));
            Assert.Equal("worker-3", document.RootElement.GetProperty("metadata").GetProperty("name").GetString());
        }

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await runtime.CreateContainerAsync(tooLarge.Pod, tooLarge.Container, CancellationToken.None));
        await runtime.StateChangeAsync(Event.RemoveContainer, pinned.Pod, pinned.Container, CancellationToken.None);
        Assert.Empty(_pushedBatches);
        handler.RunReconcilePass();
        Assert.Equal([1], _pushedBatches);

        var m = StrictExpositionParser.Parse(observability.Metrics.Registry.Render(ExpositionFormat.Prometheus), openMetrics: false);
        // Topology Manager: three admissions, one refused; every one timed.
        Assert.Equal(3, m["kubelet_topology_manager_admission_requests_total{}"]);
        Assert.Equal(1, m["kubelet_topology_manager_admission_errors_total{}"]);
        Assert.Equal(3, m["kubelet_topology_manager_admission_duration_ms_count{}"]);
        // CPU and Memory managers: one pinned container each, from the node (no pod-level budget); the refusal was not theirs.
        Assert.Equal(1, m["kubelet_cpu_manager_pinning_requests_total{}"]);
        Assert.Equal(0, m["kubelet_cpu_manager_pinning_errors_total{}"]);
        Assert.Equal(1, m["kubelet_memory_manager_pinning_requests_total{}"]);
        Assert.Equal(0, m["kubelet_memory_manager_pinning_errors_total{}"]);
        Assert.Equal(1, m["resource_manager_allocations_total{resource_name=\"cpu\",source=\"node\"}"]);
        Assert.Equal(0, m["resource_manager_allocations_total{resource_name=\"cpu\",source=\"pod\"}"]);
        Assert.Equal(1, m["resource_manager_allocations_total{resource_name=\"memory\",source=\"node\"}"]);
        Assert.Equal(0, m["resource_manager_allocation_errors_total{resource_name=\"cpu\",source=\"node\"}"]);
        Assert.Equal(1, m["resource_manager_container_assignments{assignment_type=\"node_exclusive\",resource_name=\"cpu\"}"]);
        Assert.Equal(1, m["resource_manager_container_assignments{assignment_type=\"node_exclusive\",resource_name=\"memory\"}"]);
        Assert.Equal(0, m["resource_manager_container_assignments{assignment_type=\"pod_shared\",resource_name=\"cpu\"}"]);
        // The pools after the removal: everything but the reserved CPU is shared again.
        Assert.Equal(15_000, m["kubelet_cpu_manager_shared_pool_size_millicores{}"]);
        Assert.Equal(0, m["kubelet_cpu_manager_exclusive_cpu_allocation_count{}"]);
        // The state file: every write the state keeper made (at least the exclusive admission and its release).
        int writes = handler.Management!.State.Writes;
        Assert.True(writes >= 2, $"{writes} state writes");
        Assert.Equal(writes, m["resmgrlite_state_saves_total{result=\"ok\"}"]);
        Assert.Equal(0, m["resmgrlite_state_saves_total{result=\"failed\"}"]);
        Assert.Equal(writes, m["resmgrlite_state_save_duration_seconds_count{}"]);
        // Updates: one carried by the CreateContainer answer, one pushed after the removal.
        Assert.Equal(2, m["resmgrlite_container_updates_total{result=\"applied\"}"]);
        Assert.Equal(0, m["resmgrlite_container_updates_total{result=\"failed\"}"]);
        // NRI requests, per event, the refused one included.
        Assert.Equal(1, m["resmgrlite_nri_request_duration_seconds_count{event=\"Configure\"}"]);
        Assert.Equal(3, m["resmgrlite_nri_request_duration_seconds_count{event=\"CreateContainer\"}"]);
        Assert.Equal(1, m["resmgrlite_nri_request_duration_seconds_count{event=\"RemoveContainer\"}"]);
        Assert.Equal(1, m["resmgrlite_resource_management_active{}"]);
        Assert.Equal(1, m[$"resmgrlite_build_info{{nri_level=\"v0.12\",runtime=\"containerd 2.1.9\",version=\"{PluginObservability.Version}\"}}"]);
        // Memory QoS is off in this configuration: its node totals stay 0.
        Assert.Equal(0, m["kubelet_memory_qos_node_memory_min_bytes{}"]);

        using (JsonDocument document = ReadNrt(observability))
        {
            Assert.Equal((8, 7, 7), Cpu(document.RootElement, "node-0"));
            using JsonDocument schema = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "tests", "ResMgrLite.Tests", "Observability", "nrt-crd-v1alpha2.schema.json")));
            Assert.Empty(CrdSchemaSubset.Validate(schema.RootElement, document.RootElement));
        }
    }
}
