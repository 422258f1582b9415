using ResMgrLite.Nri;
using ResMgrLite.Nri.Api;
using ResMgrLite.Plugin;
using ResMgrLite.TestSupport.FakeNri;
using ResMgrLite.TestSupport.Cgroups;
using ResMgrLite.TestSupport.Sysfs;
using CpuSet = ResMgrLite.Engine.CpuSet;

namespace ResMgrLite.Tests.Plugin;

/// <summary>
/// The engine-backed handler in-process on a synthetic two-socket machine (2 × 4 cores × 2 threads,
/// siblings i and i+8, one NUMA node per socket, 16 GiB and 512 × 2 MiB hugepages per node).
/// </summary>
public sealed class ResourcePolicyHandlerTests : IDisposable
{
    private const long GiKiB = 1024 * 1024;
    private readonly SysfsTree _machine;
    private readonly FakeCgroupTree _cgroups = new();

    public ResourcePolicyHandlerTests()
    {
        _machine = new SysfsMachineBuilder()
            .Sockets(2).CoresPerSocket(4).ThreadsPerCore(2)
            .MemoryPerNode(16 * GiKiB, 12 * GiKiB)
            .HugePages(2048, 512, 512)
            .Cgroups(CgroupLayout.Unified, "cpuset", "cpu", "memory")
            .Build().WriteTree();
    }

    public void Dispose()
    {
        _machine.Dispose();
        _cgroups.Dispose();
    }

    private sealed class RecordingRuntime : INriRuntime
    {
        public List<ContainerUpdate> Sent { get; } = [];

        public Task<UpdateContainersResult> UpdateContainersAsync(IReadOnlyList<ContainerUpdate> updates)
        {
            Sent.AddRange(updates);
            return Task.FromResult(UpdateContainersResult.AllApplied);
        }
    }

    private sealed class RecordingObserver : IAllocationObserver
    {
        public List<string> Changes { get; } = [];

        public void OnAllocationChanged(in AllocationChange change, ResMgrLite.Engine.ResourceEngine engine) =>
            Changes.Add($"{change.Kind} {change.PodUid}/{change.ContainerName} {change.ContainerId} {(change.Settings.ManagesCpu ? change.Settings.Cpus.ToString() : "")}".Trim());
    }

    private (ResourcePolicyHandler Handler, RecordingRuntime Runtime, string Log) Configure(string config, IAllocationObserver? observer = null)
    {
        string log = Path.Combine(_cgroups.Root, "plugin.log");
        var handler = new ResourcePolicyHandler(new PluginLog(log, ProtocolLogLevel.Debug),
            new HandlerOptions(_machine.SysfsRoot, "test.conf", ConfigFile: null, new System.Collections.Hashtable
            {
                // Each test its own state file, never the node's /var/lib/resmgrlite (docs/state.md).
                ["RESMGRLITE__STATE__DIRECTORY"] = Path.Combine(_cgroups.Root, "state"),
            }, _machine.ProcRoot));
        if (observer is not null)
        {
            handler.Allocations.Subscribe(observer);
        }
        var runtime = new RecordingRuntime();
        var info = new NriRuntimeInfo("containerd", "1.7.24", "", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), NriApiLevel.V0_6);
        handler.ConfigureAsync(new NriConfigureContext(config, info, runtime), CancellationToken.None).AsTask().Wait();
        return (handler, runtime, log);
    }

    private const string NumaConfig = """
        [topologyManager]
        policy = "single-numa-node"
        [cpuManager]
        policy = "static"
        reservedSystemCPUs = "0"

        """ + MemoryManagerOnlyConfig;

    private const string MemoryManagerOnlyConfig = """
        [memoryManager]
        policy = "Static"
        [[memoryManager.reservedMemory]]
        numaNode = 0
        limits = { memory = "100Mi" }
        """;

    /// <summary>Memory QoS with tiered reservation, writing to the fake cgroup tree.</summary>
    private string TieredMemoryQos => $"""

        [memoryQoS]
        enabled = true
        memoryReservationPolicy = "TieredReservation"
        [cgroup]
        mountPath = "{_cgroups.Root}"
        """;

    [Fact]
    public async Task Guaranteed_containers_get_cpus_and_memory_nodes_from_one_numa_node()
    {
        var (handler, _, log) = Configure(NumaConfig);
        Assert.NotNull(handler.Engine);

        CreateContainerRequest small = PluginScenario.Guaranteed("g1", "c1", 2);
        CreateContainerResult first = await handler.CreateContainerAsync(small.Pod, small.Container, CancellationToken.None);
        Assert.Equal("1,9", first.Adjustment!.Linux.Resources.Cpu.Cpus);
        Assert.Equal("0", first.Adjustment.Linux.Resources.Cpu.Mems);

        // 6 CPUs no longer fit NUMA node 0 (5 left): single-numa-node places them on node 1.
        CreateContainerRequest large = PluginScenario.Guaranteed("g2", "c2", 6);
        CreateContainerResult second = await handler.CreateContainerAsync(large.Pod, large.Container, CancellationToken.None);
        Assert.Equal("4-6,12-14", second.Adjustment!.Linux.Resources.Cpu.Cpus);
        Assert.Equal("1", second.Adjustment.Linux.Resources.Cpu.Mems);
        Assert.Contains("mems 1", await File.ReadAllTextAsync(log), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_no_numa_node_can_hold_is_refused_with_the_policy_named()
    {
        var (handler, _, _) = Configure(NumaConfig);
        CreateContainerRequest huge = PluginScenario.Guaranteed("g3", "c3", 9);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => handler.CreateContainerAsync(huge.Pod, huge.Container, CancellationToken.None).AsTask());
        Assert.Contains("TopologyAffinityError", refused.Message, StringComparison.Ordinal);
        Assert.Contains("single-numa-node", refused.Message, StringComparison.Ordinal);
        Assert.Contains("app", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Removing_an_exclusive_container_widens_the_shared_pool_at_the_next_reconcile_pass()
    {
        var (handler, runtime, _) = Configure(PluginScenario.StaticCpuConfig);
        CreateContainerRequest shared = PluginScenario.Burstable("b1", "cb1");
        CreateContainerRequest exclusive = PluginScenario.Guaranteed("g1", "cg1", 2);
        await handler.CreateContainerAsync(shared.Pod, shared.Container, CancellationToken.None);
        CreateContainerResult pinned = await handler.CreateContainerAsync(exclusive.Pod, exclusive.Container, CancellationToken.None);
        Assert.Equal("0,2-8,10-15", Assert.Single(pinned.Updates).Linux.Resources.Cpu.Cpus);

        // Like the kubelet's reconcileState: the release sends nothing, the next pass widens.
        await handler.StateChangeAsync(Event.RemoveContainer, exclusive.Pod, exclusive.Container, CancellationToken.None);
        Assert.Empty(runtime.Sent);
        handler.RunReconcilePass();
        ContainerUpdate widened = Assert.Single(runtime.Sent);
        Assert.Equal(("cb1", "0-15"), (widened.ContainerId, widened.Linux.Resources.Cpu.Cpus));
    }

    [Fact]
    public async Task A_burst_of_releases_widens_each_shared_container_once_at_the_reconcile_pass()
    {
        var (handler, runtime, _) = Configure(PluginScenario.StaticCpuConfig);
        CreateContainerRequest[] shared = [PluginScenario.Burstable("b1", "cb1"), PluginScenario.Burstable("b2", "cb2")];
        CreateContainerRequest[] exclusive = [.. Enumerable.Range(1, 3).Select(i => PluginScenario.Guaranteed($"g{i}", $"cg{i}", 2))];
        foreach (CreateContainerRequest request in shared.Concat(exclusive))
        {
            await handler.CreateContainerAsync(request.Pod, request.Container, CancellationToken.None);
        }

        await handler.StateChangeAsync(Event.RemoveContainer, exclusive[0].Pod, exclusive[0].Container, CancellationToken.None);
        await handler.StateChangeAsync(Event.RemovePodSandbox, exclusive[1].Pod, null, CancellationToken.None);
        await handler.StateChangeAsync(Event.RemoveContainer, exclusive[2].Pod, exclusive[2].Container, CancellationToken.None);
        Assert.Empty(runtime.Sent);

        handler.RunReconcilePass();
        Assert.Equal([("cb1", "0-15"), ("cb2", "0-15")], runtime.Sent.Select(u => (u.ContainerId, u.Linux.Resources.Cpu.Cpus)).Order());
        handler.RunReconcilePass();
        Assert.Equal(2, runtime.Sent.Count);
    }

    [Fact]
    public async Task Narrowing_is_never_deferred_and_a_pending_widening_goes_out_as_the_current_pool()
    {
        var (handler, runtime, _) = Configure(PluginScenario.StaticCpuConfig);
        CreateContainerRequest shared = PluginScenario.Burstable("b1", "cb1");
        CreateContainerRequest first = PluginScenario.Guaranteed("g1", "cg1", 2);
        CreateContainerRequest second = PluginScenario.Guaranteed("g2", "cg2", 2);
        CreateContainerRequest third = PluginScenario.Guaranteed("g3", "cg3", 4);
        await handler.CreateContainerAsync(shared.Pod, shared.Container, CancellationToken.None);
        await handler.CreateContainerAsync(first.Pod, first.Container, CancellationToken.None);
        CreateContainerResult kept = await handler.CreateContainerAsync(second.Pod, second.Container, CancellationToken.None);
        Assert.Equal("cb1", Assert.Single(kept.Updates).ContainerId);

        // g1's CPUs come back, but cb1 is not widened yet; g3 takes them and more: the narrowing goes
        // out with g3's answer, and cb1 gets the pool as it is then — no CPU of g2 or g3.
        await handler.StateChangeAsync(Event.RemoveContainer, first.Pod, first.Container, CancellationToken.None);
        Assert.Empty(runtime.Sent);
        CreateContainerResult narrowed = await handler.CreateContainerAsync(third.Pod, third.Container, CancellationToken.None);
        ContainerUpdate update = Assert.Single(narrowed.Updates);
        CpuSet exclusiveCpus = CpuSet.Parse(kept.Adjustment!.Linux.Resources.Cpu.Cpus).Union(CpuSet.Parse(narrowed.Adjustment!.Linux.Resources.Cpu.Cpus));
        Assert.Equal("cb1", update.ContainerId);
        Assert.True(CpuSet.Parse(update.Linux.Resources.Cpu.Cpus).Intersect(exclusiveCpus).IsEmpty, update.Linux.Resources.Cpu.Cpus);
        Assert.Equal(handler.Engine!.Cpu!.DefaultSet.ToString(), update.Linux.Resources.Cpu.Cpus);
        Assert.Empty(runtime.Sent);
    }

    [Fact]
    public async Task Memory_qos_sets_unified_knobs_and_raises_the_qos_parents()
    {
        _cgroups.AddCgroup("kubepods");
        _cgroups.AddCgroup("kubepods/burstable");
        _cgroups.AddCgroup("kubepods/besteffort");
        _cgroups.AddCgroup("kubepods/podg1");
        var (handler, _, _) = Configure(PluginScenario.StaticCpuConfig + TieredMemoryQos);
        CreateContainerRequest guaranteed = PluginScenario.Guaranteed("g1", "cg1", 1);
        CreateContainerResult result = await handler.CreateContainerAsync(guaranteed.Pod, guaranteed.Container, CancellationToken.None);

        // Guaranteed: memory.min = request = limit (1 GiB), memory.max = limit (docs/kubelet-rules.md §6.2).
        Assert.Equal("1073741824", result.Adjustment!.Linux.Resources.Unified.Single(e => e.Key == "memory.min").Value);
        Assert.Equal("1073741824", result.Adjustment.Linux.Resources.Unified.Single(e => e.Key == "memory.max").Value);
        Assert.Equal("1073741824", _cgroups.Read("kubepods", "memory.min"));
        Assert.Equal("1073741824", _cgroups.Read("kubepods/podg1", "memory.min"));

        await handler.StateChangeAsync(Event.RemovePodSandbox, guaranteed.Pod, null, CancellationToken.None);
        Assert.Equal("0", _cgroups.Read("kubepods", "memory.min"));
    }

    [Fact]
    public async Task Sandbox_resources_the_kubelet_sends_for_every_pod_are_not_a_pod_level_budget()
    {
        var (handler, _, _) = Configure(PluginScenario.StaticCpuConfig + "\n[featureGates]\nPodLevelResourceManagers = true\n");
        CreateContainerRequest request = PluginScenario.Guaranteed("g1", "c1", 2);
        // applySandboxResources: the sum of the containers, on every pod.
        request.Pod.Linux.PodResources = request.Container.Linux.Resources.Clone();
        CreateContainerResult result = await handler.CreateContainerAsync(request.Pod, request.Container, CancellationToken.None);
        Assert.Equal("1,9", result.Adjustment!.Linux.Resources.Cpu.Cpus);
        Assert.Empty(handler.Engine!.Cpu!.Pods);
    }

    [Fact]
    public async Task A_pod_resources_annotation_makes_a_pod_level_budget()
    {
        var (handler, _, _) = Configure(PluginScenario.StaticCpuConfig + "\n[topologyManager]\nscope = \"pod\"\n[featureGates]\nPodLevelResourceManagers = true\n");
        CreateContainerRequest request = PluginScenario.Guaranteed("g1", "c1", 1);
        request.Pod.Annotations.Set("resmgrlite.io/pod-resources", "cpu=3,memory=2Gi");
        CreateContainerResult result = await handler.CreateContainerAsync(request.Pod, request.Container, CancellationToken.None);
        Assert.Single(result.Adjustment!.Linux.Resources.Cpu.Cpus.Split(','));
        Assert.Equal(3, handler.Engine!.Cpu!.Pods["g1"].Bubble.Count);
    }

    [Fact]
    public async Task Exclusive_cpus_lift_the_pod_cgroup_quota()
    {
        // The fake machine mounts cgroup2 at /sys/fs/cgroup, i.e. below the synthetic sysfs root.
        string podCgroup = Path.Combine(_machine.SysfsRoot, "fs", "cgroup", "kubepods", "podg1");
        Directory.CreateDirectory(podCgroup);
        await File.WriteAllTextAsync(Path.Combine(podCgroup, "cpu.max"), "200000 100000\n");
        var (handler, _, _) = Configure(PluginScenario.StaticCpuConfig);
        CreateContainerRequest request = PluginScenario.Guaranteed("g1", "c1", 2);
        await handler.CreateContainerAsync(request.Pod, request.Container, CancellationToken.None);
        Assert.Equal("max", (await File.ReadAllTextAsync(Path.Combine(podCgroup, "cpu.max"))).Trim());
    }

    [Fact]
    public async Task Restored_entries_of_pods_whose_cgroup_is_gone_are_released_by_the_reconcile_pass()
    {
        string kubepods = Path.Combine(_machine.SysfsRoot, "fs", "cgroup", "kubepods");
        Directory.CreateDirectory(Path.Combine(kubepods, "podg1"));
        Directory.CreateDirectory(Path.Combine(kubepods, "burstable", "podb1"));
        var (first, _, _) = Configure(PluginScenario.StaticCpuConfig);
        CreateContainerRequest shared = PluginScenario.Burstable("b1", "cb1");
        CreateContainerRequest exclusive = PluginScenario.Guaranteed("g1", "cg1", 2);
        await first.CreateContainerAsync(shared.Pod, shared.Container, CancellationToken.None);
        await first.CreateContainerAsync(exclusive.Pod, exclusive.Container, CancellationToken.None);

        // The plugin restarts (state file only, no Synchronize); pod g1 goes away without an event.
        var (second, runtime, _) = Configure(PluginScenario.StaticCpuConfig);
        Assert.Equal("1,9", second.Engine!.EffectiveCpus(new ResMgrLite.Engine.Model.ContainerKey("g1", "app")).ToString());
        // What the state file says was handed out is not known to have landed: sent again to be acknowledged.
        Assert.Equal(["cb1", "cg1"], second.ReconcileStaleState().Select(u => u.ContainerId).Order(StringComparer.Ordinal));
        Directory.Delete(Path.Combine(kubepods, "podg1"));

        IReadOnlyList<ContainerUpdate> updates = second.ReconcileStaleState();
        ContainerUpdate widened = Assert.Single(updates, u => u.ContainerId == "cb1");
        Assert.Equal("0-15", widened.Linux.Resources.Cpu.Cpus);
        Assert.Equal("0-15", second.Engine.Cpu!.DefaultSet.ToString());
        Assert.Empty(runtime.Sent);
    }

    [Fact]
    public async Task Without_a_cpu_manager_restored_memory_blocks_are_released_for_departed_containers()
    {
        string kubepods = Path.Combine(_machine.SysfsRoot, "fs", "cgroup", "kubepods");
        var (first, _, _) = Configure(MemoryManagerOnlyConfig);
        string empty = first.Engine!.Memory!.State.ToString();
        CreateContainerRequest[] pods = [.. Enumerable.Range(1, 4).Select(i => PluginScenario.Guaranteed($"g{i}", $"cg{i}", 1))];
        foreach (CreateContainerRequest pod in pods)
        {
            Directory.CreateDirectory(Path.Combine(kubepods, "pod" + pod.Pod.Uid));
            await first.CreateContainerAsync(pod.Pod, pod.Container, CancellationToken.None);
        }
        Assert.Equal(4, first.Engine.Memory.Containers.Count);

        // A restart: this process has seen no event naming the four containers.
        var (second, _, _) = Configure(MemoryManagerOnlyConfig);
        Assert.Equal(4, second.Engine!.Memory!.Containers.Count);

        await second.StateChangeAsync(Event.RemoveContainer, pods[0].Pod, pods[0].Container, CancellationToken.None);
        Assert.Equal(3, second.Engine.Memory.Containers.Count);
        await second.StateChangeAsync(Event.RemovePodSandbox, pods[1].Pod, null, CancellationToken.None);
        Assert.Equal(2, second.Engine.Memory.Containers.Count);
        Directory.Delete(Path.Combine(kubepods, "pod" + pods[2].Pod.Uid));
        second.ReconcileStaleState();
        Assert.Single(second.Engine.Memory.Containers);
        await second.SynchronizeAsync([], [], CancellationToken.None);
        Assert.Empty(second.Engine.Memory.Containers);
        Assert.Equal(empty, second.Engine.Memory.State.ToString());
    }

    [Fact]
    public async Task After_a_restart_the_memory_qos_parents_keep_the_protection_of_running_pods()
    {
        foreach (string cgroup in (string[])["kubepods", "kubepods/burstable", "kubepods/besteffort", "kubepods/podg1", "kubepods/burstable/podb1"])
        {
            _cgroups.AddCgroup(cgroup);
        }
        string config = PluginScenario.StaticCpuConfig + TieredMemoryQos;
        var (first, _, _) = Configure(config);
        CreateContainerRequest burstable = PluginScenario.Burstable("b1", "cb1");
        burstable.Pod.Annotations.Set("resmgrlite.io/memory-request", "app=512Mi");
        CreateContainerRequest guaranteed = PluginScenario.Guaranteed("g1", "cg1", 1);
        await first.CreateContainerAsync(burstable.Pod, burstable.Container, CancellationToken.None);
        await first.CreateContainerAsync(guaranteed.Pod, guaranteed.Container, CancellationToken.None);
        Assert.Equal(("1610612736", "536870912"), (_cgroups.Read("kubepods", "memory.min"), _cgroups.Read("kubepods/burstable", "memory.low")));

        // Restart without Synchronize (containerd 1.7.24 pre-launched): the parents keep G + B and B.
        var (second, _, _) = Configure(config);
        Assert.Equal(("1610612736", "536870912"), (_cgroups.Read("kubepods", "memory.min"), _cgroups.Read("kubepods/burstable", "memory.low")));

        // Synchronize: the Burstable pod went away while the plugin was down, the Guaranteed one runs.
        guaranteed.Container.State = ContainerState.ContainerRunning;
        await second.SynchronizeAsync([guaranteed.Pod], [guaranteed.Container], CancellationToken.None);
        Assert.Equal(("1073741824", "0"), (_cgroups.Read("kubepods", "memory.min"), _cgroups.Read("kubepods/burstable", "memory.low")));
    }

    [Fact]
    public async Task An_update_restates_everything_the_engine_decided()
    {
        var (handler, _, _) = Configure(NumaConfig + TieredMemoryQos);
        CreateContainerRequest request = PluginScenario.Guaranteed("g1", "c1", 2);
        await handler.CreateContainerAsync(request.Pod, request.Container, CancellationToken.None);

        // A CRI resource update (as the kubelet sends for any resize) must not undo the decision.
        IReadOnlyList<ContainerUpdate> updates = await handler.UpdateContainerAsync(request.Pod, request.Container, request.Container.Linux.Resources, CancellationToken.None);
        LinuxResources restated = Assert.Single(updates).Linux.Resources;
        Assert.Equal(("1,9", -1L, "0"), (restated.Cpu.Cpus, restated.Cpu.Quota.Value, restated.Cpu.Mems));
        Assert.Equal("1073741824", restated.Unified.Single(e => e.Key == "memory.min").Value);
        Assert.Equal("1073741824", restated.Unified.Single(e => e.Key == "memory.max").Value);
        Assert.Empty(await handler.UpdateContainerAsync(request.Pod, new Container { Id = "unknown", Name = "x" }, null, CancellationToken.None));
    }

    [Fact]
    public async Task Every_acknowledged_allocation_change_reaches_the_observers()
    {
        var observer = new RecordingObserver();
        var (handler, _, _) = Configure(PluginScenario.StaticCpuConfig, observer);
        CreateContainerRequest shared = PluginScenario.Burstable("b1", "cb1");
        CreateContainerRequest exclusive = PluginScenario.Guaranteed("g1", "cg1", 2);
        await handler.CreateContainerAsync(shared.Pod, shared.Container, CancellationToken.None);
        await handler.CreateContainerAsync(exclusive.Pod, exclusive.Container, CancellationToken.None);
        await handler.StateChangeAsync(Event.RemoveContainer, exclusive.Pod, exclusive.Container, CancellationToken.None);
        await handler.StateChangeAsync(Event.RemovePodSandbox, shared.Pod, null, CancellationToken.None);
        Assert.Equal(
        [
            "Restored /",
            "ContainerAdmitted b1/app cb1 0-15",
            "ContainerAdmitted g1/app cg1 1,9",
            "ContainerReleased g1/app cg1",
            "PodReleased b1/",
        ], observer.Changes);

        // A restart reports the restored state first.
        var restarted = new RecordingObserver();
        Configure(PluginScenario.StaticCpuConfig, restarted);
        Assert.Equal(["Restored /"], restarted.Changes);
    }

    [Fact]
    public async Task A_restart_between_an_init_container_and_the_app_container_keeps_the_reuse()
    {
        CreateContainerRequest Member(string name, string id)
        {
            CreateContainerRequest request = PluginScenario.Guaranteed("g1", id, 2);
            request.Container.Name = name;
            request.Pod.Annotations.Set("resmgrlite.io/container-roles", "init=init");
            return request;
        }
        var (first, _, _) = Configure(NumaConfig);
        CreateContainerRequest init = Member("init", "ci");
        Assert.Equal("1,9", (await first.CreateContainerAsync(init.Pod, init.Container, CancellationToken.None)).Adjustment!.Linux.Resources.Cpu.Cpus);

        // The plugin restarts after the init container ran: the app container reuses its CPUs and memory (§3.9, §4.6).
        var (second, _, _) = Configure(NumaConfig);
        CreateContainerRequest app = Member("app", "ca");
        Assert.Equal("1,9", (await second.CreateContainerAsync(app.Pod, app.Container, CancellationToken.None)).Adjustment!.Linux.Resources.Cpu.Cpus);
        Assert.Equal(1L << 30, second.Engine!.Memory!.State.Table(0, ResMgrLite.Engine.Memory.MemoryResource.Memory).Reserved);
    }

    public static TheoryData<string, string> Format1Files => new()
    {
        { "format1-static-only.state", PluginScenario.StaticCpuConfig },
        { "format1-none-memory.state", MemoryManagerOnlyConfig },
        { "format1-static-memory-podlevel.state", NumaConfig.Replace("policy = \"single-numa-node\"", "policy = \"single-numa-node\"\nscope = \"pod\"", StringComparison.Ordinal) + "\n[featureGates]\nPodLevelResourceManagers = true\n" },
    };

    [Theory]
    [MemberData(nameof(Format1Files))]
    public async Task A_state_file_written_by_the_previous_format_is_restored(string fixture, string config)
    {
        // Written by the binary before format 2, on this test's machine (tests/ResMgrLite.TestSupport/StateFixtures/README.md).
        string state = Path.Combine(_cgroups.Root, "state");
        Directory.CreateDirectory(state);
        File.Copy(Path.Combine(ResMgrLite.TestSupport.RepoPaths.Root, "tests", "ResMgrLite.TestSupport", "StateFixtures", fixture), Path.Combine(state, "resmgrlite_state"));
        var (handler, _, log) = Configure(config);
        Assert.True(handler.Engine is not null, await File.ReadAllTextAsync(log));
        Assert.True(handler.Engine.TryFindContainer("ctr-g1", out ResMgrLite.Engine.Model.ContainerKey g1));
        if (handler.Engine.Cpu is not null)
        {
            Assert.Equal("1,9", handler.Engine.EffectiveCpus(g1).ToString());
        }
        if (handler.Engine.Memory is not null)
        {
            Assert.Equal(1UL, handler.Engine.EffectiveMems(g1));
        }

        // The next decisions build on it, and the file is rewritten in the current format.
        CreateContainerRequest next = PluginScenario.Guaranteed("g9", "cg9", 2);
        CreateContainerResult created = await handler.CreateContainerAsync(next.Pod, next.Container, CancellationToken.None);
        ResMgrLite.Engine.CpuSet given = ResMgrLite.Engine.CpuSet.Parse(created.Adjustment?.Linux.Resources.Cpu.Cpus ?? "");
        Assert.False(given.Contains(1) || given.Contains(9), $"g1's CPUs were handed out again: {given}");
        Assert.StartsWith("{\"format\":3,", await File.ReadAllTextAsync(Path.Combine(state, "resmgrlite_state")), StringComparison.Ordinal);
    }
}
