using ResMgrLite.Engine.Resize;
using ResMgrLite.Nri;
using ResMgrLite.Nri.Api;
using ResMgrLite.Plugin;
using ResMgrLite.TestSupport.Sysfs;

namespace ResMgrLite.Tests.Plugin;

/// <summary>
/// In-place pod resize through the handler (UpdatePodSandbox, PostUpdatePodSandbox) on a synthetic
/// two-socket machine (2 × 4 cores × 2 threads, siblings i and i+8, one NUMA node per socket,
/// 16 GiB per node) with cgroup v2 mounted below the synthetic root: what goes to the runtime, what
/// is written to the pod cgroup and in which order, what the log, the observers and the state file get.
/// </summary>
public sealed class PodResizeHandlerTests : IDisposable
{
    private const long Gi = 1L << 30;
    private const long GiKiB = 1024 * 1024;
    private readonly SysfsTree _machine;
    private readonly string _state;

    public PodResizeHandlerTests()
    {
        _machine = new SysfsMachineBuilder()
            .Sockets(2).CoresPerSocket(4).ThreadsPerCore(2)
            .MemoryPerNode(16 * GiKiB, 12 * GiKiB)
            .Cgroups(CgroupLayout.Unified, "cpuset", "cpu", "memory")
            .Build().WriteTree();
        _state = Path.Combine(_machine.Root, "state");
    }

    public void Dispose() => _machine.Dispose();

    private const string PodScopeConfig = """
        [topologyManager]
        policy = "single-numa-node"
        scope = "pod"
        [cpuManager]
        policy = "static"
        reservedSystemCPUs = "0"
        [featureGates]
        PodLevelResourceManagers = true
        [memoryManager]
        policy = "Static"
        [[memoryManager.reservedMemory]]
        numaNode = 0
        limits = { memory = "100Mi" }
        """;

    private const string ContainerScopeConfig = """
        [cpuManager]
        policy = "static"
        reservedSystemCPUs = "0"
        [featureGates]
        PodLevelResourceManagers = true
        """;

    /// <summary>Records every update and, at the moment it arrives, what the pod cgroup holds.</summary>
    private sealed class RecordingRuntime(Func<string> podCgroupNow) : INriRuntime
    {
        public List<ContainerUpdate> Sent { get; } = [];

        public List<string> PodCgroupAtUpdate { get; } = [];

        public Task<UpdateContainersResult> UpdateContainersAsync(IReadOnlyList<ContainerUpdate> updates)
        {
            Sent.AddRange(updates);
            PodCgroupAtUpdate.Add(podCgroupNow());
            return Task.FromResult(UpdateContainersResult.AllApplied);
        }
    }

    private sealed class ResizeObserver : IAllocationObserver
    {
        public List<string> Decisions { get; } = [];

        public void OnAllocationChanged(in AllocationChange change, ResMgrLite.Engine.ResourceEngine engine)
        {
            if (change.Kind == AllocationChangeKind.PodResized)
            {
                Decisions.Add($"{change.PodUid} {ResizeOutcomes.Name(change.ResizeOutcome)}");
            }
        }
    }

    private string PodCgroup(string qosDirectory, string uid) => Path.Combine(_machine.SysfsRoot, "fs", "cgroup", "kubepods", qosDirectory, "pod" + uid);

    /// <summary>The pod cgroup with its limit files at the creation-time values.</summary>
    private string MakePodCgroup(string qosDirectory, string uid, string cpuMax, string memoryMax)
    {
        string dir = PodCgroup(qosDirectory, uid);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "cpu.max"), cpuMax + "\n");
        File.WriteAllText(Path.Combine(dir, "memory.max"), memoryMax + "\n");
        return dir;
    }

    private static string Limits(string dir) =>
        $"cpu.max={File.ReadAllText(Path.Combine(dir, "cpu.max")).Trim()} memory.max={File.ReadAllText(Path.Combine(dir, "memory.max")).Trim()}";

    private (ResourcePolicyHandler Handler, RecordingRuntime Runtime, ResizeObserver Observer, string Log) Configure(string config, Func<string> podCgroupNow)
    {
        string log = Path.Combine(_machine.Root, "plugin.log");
        var handler = new ResourcePolicyHandler(new PluginLog(log, ProtocolLogLevel.Debug),
            new HandlerOptions(_machine.SysfsRoot, "test.conf", ConfigFile: null, new System.Collections.Hashtable
            {
                ["RESMGRLITE__STATE__DIRECTORY"] = _state,
            }, _machine.ProcRoot));
        var observer = new ResizeObserver();
        handler.Allocations.Subscribe(observer);
        var runtime = new RecordingRuntime(podCgroupNow);
        var info = new NriRuntimeInfo("containerd", "2.3.0", "v0.12.2", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), NriApiLevel.V0_12);
        handler.ConfigureAsync(new NriConfigureContext(config, info, runtime), CancellationToken.None).AsTask().Wait();
        Assert.NotNull(handler.Engine);
        return (handler, runtime, observer, log);
    }

    private static LinuxResources Resources(long cpuMilli, long cpuLimitMilli, long memoryLimit) => new()
    {
        Cpu = new LinuxCPU
        {
            Shares = new OptionalUInt64 { Value = (ulong)(cpuMilli * 1024 / 1000) },
            Quota = new OptionalInt64 { Value = cpuLimitMilli * 100 },
            Period = new OptionalUInt64 { Value = 100_000 },
        },
        Memory = new LinuxMemory { Limit = new OptionalInt64 { Value = memoryLimit } },
    };

    /// <summary>A Guaranteed pod-level pod "p1" (<c>cpu=N,memory=M</c>): an exclusive 1-CPU slice "slice" and a shared container "shared".</summary>
    private static (PodSandbox Pod, Container Slice, Container Shared) BudgetPod(int cpus, long memory, string qosParent = "/kubepods/podp1")
    {
        var pod = new PodSandbox
        {
            Id = "sandbox-p1",
            Uid = "p1",
            Name = "pod-p1",
            Namespace = "default",
            Linux = new LinuxPodSandbox { CgroupParent = qosParent, PodResources = Resources(cpus * 1000, cpus * 1000, memory) },
        };
        pod.Annotations.Set("resmgrlite.io/pod-resources", $"cpu={cpus},memory={memory}");
        var slice = new Container { Id = "c-slice", PodSandboxId = pod.Id, Name = "slice", Linux = new LinuxContainer { Resources = Resources(1000, 1000, Gi), OomScoreAdj = new OptionalInt { Value = -997 } } };
        var shared = new Container { Id = "c-shared", PodSandboxId = pod.Id, Name = "shared", Linux = new LinuxContainer { Resources = new LinuxResources { Cpu = new LinuxCPU { Shares = new OptionalUInt64 { Value = 2 } } }, OomScoreAdj = new OptionalInt { Value = -997 } } };
        return (pod, slice, shared);
    }

    private static async Task AdmitAsync(ResourcePolicyHandler handler, PodSandbox pod, params Container[] containers)
    {
        foreach (Container c in containers)
        {
            await handler.CreateContainerAsync(pod, c, CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_grow_widens_the_pod_cgroup_before_the_containers_and_is_recorded()
    {
        string dir = MakePodCgroup("", "p1", "max 100000", (2 * Gi).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var (handler, runtime, observer, log) = Configure(PodScopeConfig, () => Limits(dir));
        var (pod, slice, shared) = BudgetPod(2, 2 * Gi);
        await AdmitAsync(handler, pod, slice, shared);
        Assert.Equal(2, handler.Engine!.Cpu!.Pods["p1"].Bubble.Count);

        await handler.UpdatePodSandboxAsync(pod, null, Resources(4000, 4000, 4 * Gi), CancellationToken.None);

        // The pod's shared container widens to the 3 CPUs beside the slice, on the budget's NUMA node.
        ContainerUpdate widened = Assert.Single(runtime.Sent, u => u.ContainerId == "c-shared");
        Assert.Equal(3, ResMgrLite.Engine.CpuSet.Parse(widened.Linux.Resources.Cpu.Cpus).Count);
        // The limit was raised before the update left; the quota stays lifted (the slice is exclusive).
        Assert.Equal($"cpu.max=max memory.max={4 * Gi}", Assert.Single(runtime.PodCgroupAtUpdate));
        Assert.Equal(["p1 applied"], observer.Decisions);
        Assert.Equal(new ResMgrLite.Engine.Model.ContainerResources(4000, 4000, 4 * Gi, 4 * Gi), handler.Engine.Resizes["p1"].InForce);
        Assert.Contains("pod default/pod-p1 resize: applied, cpu 2/2, memory 2Gi/2Gi -> cpu 4/4, memory 4Gi/4Gi", await File.ReadAllTextAsync(log), StringComparison.Ordinal);
        Assert.Contains("\"resizes\"", await File.ReadAllTextAsync(Path.Combine(_state, "resmgrlite_state")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_shrink_narrows_the_containers_before_the_pod_cgroup()
    {
        string dir = MakePodCgroup("", "p1", "max 100000", (4 * Gi).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var (handler, runtime, observer, _) = Configure(PodScopeConfig, () => Limits(dir));
        var (pod, slice, shared) = BudgetPod(3, 4 * Gi);
        await AdmitAsync(handler, pod, slice, shared);

        await handler.UpdatePodSandboxAsync(pod, null, Resources(2000, 2000, 2 * Gi), CancellationToken.None);

        ContainerUpdate narrowed = Assert.Single(runtime.Sent, u => u.ContainerId == "c-shared");
        Assert.Equal(1, ResMgrLite.Engine.CpuSet.Parse(narrowed.Linux.Resources.Cpu.Cpus).Count);
        Assert.Equal($"cpu.max=max memory.max={4 * Gi}", Assert.Single(runtime.PodCgroupAtUpdate));
        Assert.Equal($"cpu.max=max memory.max={2 * Gi}", Limits(dir));
        Assert.Equal(["p1 applied"], observer.Decisions);
    }

    [Fact]
    public async Task An_infeasible_resize_fails_the_call_naming_the_manager_and_keeps_the_allocation()
    {
        var (handler, runtime, observer, log) = Configure(PodScopeConfig, () => "");
        var (pod, slice, shared) = BudgetPod(2, 2 * Gi);
        await AdmitAsync(handler, pod, slice, shared);
        string before = handler.Engine!.Cpu!.Pods["p1"].Bubble.ToString();

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => handler.UpdatePodSandboxAsync(pod, null, Resources(8000, 8000, 2 * Gi), CancellationToken.None).AsTask());

        Assert.Equal("pod default/pod-p1: in-place resize is infeasible: CPU manager (static policy): under the single-numa-node policy the budget stays on NUMA node(s) 0, which hold 7 allocatable CPUs: 8 can never fit", refused.Message);
        Assert.Equal(before, handler.Engine.Cpu.Pods["p1"].Bubble.ToString());
        Assert.Empty(runtime.Sent);
        Assert.Equal(["p1 infeasible"], observer.Decisions);
        Assert.Contains("resize: infeasible", await File.ReadAllTextAsync(log), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deferred_resize_is_logged_once_and_applied_when_a_release_makes_room()
    {
        var (handler, runtime, observer, log) = Configure(PodScopeConfig, () => "");
        var (pod, slice, shared) = BudgetPod(2, 2 * Gi);
        await AdmitAsync(handler, pod, slice, shared);
        // Another Guaranteed pod takes 4 of the 5 CPUs left on NUMA node 0.
        CreateContainerRequest blocker = PluginScenario.Guaranteed("g1", "c-g1", 4);
        await handler.CreateContainerAsync(blocker.Pod, blocker.Container, CancellationToken.None);

        await handler.UpdatePodSandboxAsync(pod, null, Resources(4000, 4000, 2 * Gi), CancellationToken.None);
        handler.RetryDeferredResizes();
        handler.RetryDeferredResizes();

        Assert.Equal(["p1 deferred"], observer.Decisions);
        Assert.Equal(2, handler.Engine!.Cpu!.Pods["p1"].Bubble.Count);
        string text = await File.ReadAllTextAsync(log);
        Assert.Single(text.Split('\n'), l => l.Contains("resize: deferred", StringComparison.Ordinal));
        Assert.Contains("retried on every release and reconcile", text, StringComparison.Ordinal);

        runtime.Sent.Clear();
        await handler.StateChangeAsync(Event.RemoveContainer, blocker.Pod, blocker.Container, CancellationToken.None);

        Assert.Equal(["p1 deferred", "p1 applied"], observer.Decisions);
        Assert.Equal(4, handler.Engine.Cpu.Pods["p1"].Bubble.Count);
        Assert.Contains(runtime.Sent, u => u.ContainerId == "c-shared" && ResMgrLite.Engine.CpuSet.Parse(u.Linux.Resources.Cpu.Cpus).Count == 3);
        Assert.Contains("deferred resize retried: applied", await File.ReadAllTextAsync(log), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Container_scope_resize_moves_only_the_pod_cgroup_limits()
    {
        string dir = MakePodCgroup("burstable", "p1", "200000 100000", (2 * Gi).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var (handler, runtime, observer, _) = Configure(ContainerScopeConfig, () => Limits(dir));
        var (pod, _, shared) = BudgetPod(2, 2 * Gi, "/kubepods/burstable/podp1");
        pod.Annotations.Set("resmgrlite.io/pod-resources", "requests.cpu=1,limits.cpu=2,requests.memory=1Gi,limits.memory=2Gi");
        await AdmitAsync(handler, pod, shared);

        await handler.UpdatePodSandboxAsync(pod, null, Resources(1000, 4000, 3 * Gi), CancellationToken.None);
        Assert.Equal($"cpu.max=400000 100000 memory.max={3 * Gi}", Limits(dir));

        await handler.UpdatePodSandboxAsync(pod, null, Resources(500, 1500, Gi), CancellationToken.None);
        Assert.Equal($"cpu.max=150000 100000 memory.max={Gi}", Limits(dir));
        Assert.Empty(runtime.Sent);
        Assert.Equal(["p1 applied", "p1 applied"], observer.Decisions);
        // Burstable: the memory request stays (CRI has none), never above the new limit.
        Assert.Equal(Gi, handler.Engine!.Resizes["p1"].InForce.MemoryRequestBytes);
    }

    [Fact]
    public async Task After_a_restart_between_update_and_post_update_the_decided_budget_wins()
    {
        string dir = MakePodCgroup("", "p1", "max 100000", (2 * Gi).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var (first, _, _, _) = Configure(PodScopeConfig, () => Limits(dir));
        var (pod, slice, shared) = BudgetPod(2, 2 * Gi);
        await AdmitAsync(first, pod, slice, shared);
        await first.UpdatePodSandboxAsync(pod, null, Resources(3000, 3000, 3 * Gi), CancellationToken.None);
        Assert.Equal(3, first.Engine!.Cpu!.Pods["p1"].Bubble.Count);

        // The plugin restarts; meanwhile something wrote the old limit back into the pod cgroup.
        File.WriteAllText(Path.Combine(dir, "memory.max"), $"{2 * Gi}\n");
        var (second, runtime, observer, log) = Configure(PodScopeConfig, () => Limits(dir));
        Assert.Equal(3, second.Engine!.Cpu!.Pods["p1"].Bubble.Count);
        Assert.Equal(ResizeOutcome.Applied, second.Engine.Resizes["p1"].Outcome);

        // The runtime still shows the creation-time pod_resources.
        await second.PostUpdatePodSandboxAsync(pod, CancellationToken.None);

        Assert.Equal($"cpu.max=max memory.max={3 * Gi}", Limits(dir));
        string text = await File.ReadAllTextAsync(log);
        Assert.Contains("post-update: last resize applied, budget in force cpu 3/3, memory 3Gi/3Gi (the runtime still shows cpu 2/2, memory 2Gi/2Gi; the decided budget wins)", text, StringComparison.Ordinal);
        Assert.Empty(observer.Decisions);

        // A later pod model built from the runtime's view has the decided budget.
        Assert.Equal(new ResMgrLite.Engine.Model.ContainerResources(3000, 3000, 3 * Gi, 3 * Gi), second.Management!.Pods.PodFor(pod, null).Spec.PodLevel);
        // Restored cpusets are sent once more for the runtime to acknowledge them: they restate the
        // decided allocation (inside the grown bubble), never an older one.
        ResMgrLite.Engine.CpuSet bubble = second.Engine.Cpu!.Pods["p1"].Bubble;
        Assert.All(runtime.Sent, u => Assert.True(ResMgrLite.Engine.CpuSet.Parse(u.Linux.Resources.Cpu.Cpus).IsSubsetOf(bubble), $"{u.ContainerId} sent {u.Linux.Resources.Cpu.Cpus}, outside {bubble}"));
    }
}
