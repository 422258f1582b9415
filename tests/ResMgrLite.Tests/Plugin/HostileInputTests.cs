using System.Security.Cryptography;
using ResMgrLite.Nri;
using ResMgrLite.Nri.Api;
using ResMgrLite.Plugin;
using ResMgrLite.TestSupport.HostFiles;
using ResMgrLite.TestSupport.Sysfs;

namespace ResMgrLite.Tests.Plugin;

/// <summary>
/// The handler against what an attacker or a careless operator sends: cgroup parents and UIDs that
/// climb out of the kubepods tree, numbers no kubelet sends, a FIFO where the state file belongs.
/// The machine mounts cgroup v2 at sysfs/fs/cgroup; decoy cgroups sit beside the kubepods tree and
/// outside the mount, and must stay byte-identical.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private static readonly TimeSpan AtOnce = TimeSpan.FromSeconds(1);
    private readonly SysfsTree _machine;
    private readonly string _mount;
    private readonly string _state;
    private readonly Dictionary<string, byte[]> _decoys = new(StringComparer.Ordinal);

    public HostileInputTests()
    {
        _machine = new SysfsMachineBuilder()
            .Sockets(1).CoresPerSocket(4).ThreadsPerCore(2)
            .Cgroups(CgroupLayout.Unified, "cpuset", "cpu", "memory")
            .Build().WriteTree();
        _mount = Path.Combine(_machine.SysfsRoot, "fs", "cgroup");
        _state = Path.Combine(_machine.SysfsRoot, "..", "state");
        foreach (string decoy in (string[])["system.slice/x.service", "../outside", "../../etc"])
        {
            string directory = Path.GetFullPath(Path.Combine(_mount, decoy));
            Directory.CreateDirectory(directory);
            foreach ((string file, string value) in (ReadOnlySpan<(string, string)>)[("cpu.max", "50000 100000\n"), ("memory.min", "0\n"), ("memory.low", "0\n"), ("memory.high", "max\n")])
            {
                File.WriteAllText(Path.Combine(directory, file), value);
                _decoys[Path.Combine(directory, file)] = File.ReadAllBytes(Path.Combine(directory, file));
            }
        }
    }

    public void Dispose() => _machine.Dispose();

    private void AssertDecoysUntouched()
    {
        foreach ((string file, byte[] bytes) in _decoys)
        {
            Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(File.ReadAllBytes(file)));
        }
    }

    private (ResourcePolicyHandler Handler, string Log) Configure(string config)
    {
        string log = Path.Combine(_state, "..", "plugin.log");
        Directory.CreateDirectory(_state);
        var handler = new ResourcePolicyHandler(new PluginLog(log, ProtocolLogLevel.Debug),
            new HandlerOptions(_machine.SysfsRoot, "test.conf", ConfigFile: null, new System.Collections.Hashtable
            {
                ["RESMGRLITE__STATE__DIRECTORY"] = _state,
            }, _machine.ProcRoot));
        var info = new NriRuntimeInfo("containerd", "1.7.24", "", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), NriApiLevel.V0_6);
        handler.ConfigureAsync(new NriConfigureContext(config, info, new NoUpdates()), CancellationToken.None).AsTask().Wait();
        return (handler, log);
    }

    private sealed class NoUpdates : INriRuntime
    {
        public Task<bool> UpdateContainersAsync(IReadOnlyList<ContainerUpdate> updates) => Task.FromResult(true);
    }

    /// <summary>A Guaranteed container (oom_score_adj -997 tells the class when the parent does not) under <paramref name="cgroupParent"/>.</summary>
    private static CreateContainerRequest WithParent(CreateContainerRequest request, string cgroupParent)
    {
        request.Pod.Linux.CgroupParent = cgroupParent;
        request.Container.Linux.OomScoreAdj = new OptionalInt { Value = -997 };
        return request;
    }

    [Fact]
    public async Task A_fifo_at_the_state_file_path_answers_configure_within_a_second()
    {
        Directory.CreateDirectory(_state);
        SpecialFiles.CreateFifo(Path.Combine(_state, "resmgrlite_state"));
        (ResourcePolicyHandler handler, string log) = await Task.Run(() => Configure(PluginScenario.StaticCpuConfig)).WaitAsync(AtOnce);

        Assert.Null(handler.Engine);
        ResourceManagementStatus.Snapshot status = handler.Status.Now;
        Assert.Equal(PassiveReason.UntrustedState, status.Reason);
        Assert.Contains("resmgrlite_state: cannot be read: is a named pipe (FIFO): refused", status.Detail, StringComparison.Ordinal);
        Assert.Contains("Resource management is OFF", status.Detail, StringComparison.Ordinal);
        Assert.Contains(status.Detail, await File.ReadAllTextAsync(log), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/kubepods/../system.slice/x.service")]
    [InlineData("/system.slice/x.service")]
    [InlineData("/../outside")]
    [InlineData("kubepods/../../outside")]
    [InlineData("/kubepods/burstable/../../../../etc")]
    [InlineData("/sys/fs/cgroup/system.slice/x.service")]
    public async Task A_cgroup_parent_outside_kubepods_never_has_its_quota_lifted(string cgroupParent)
    {
        (ResourcePolicyHandler handler, string log) = Configure(PluginScenario.StaticCpuConfig);
        CreateContainerRequest evil = WithParent(PluginScenario.Guaranteed("evil", "c-evil", 2), cgroupParent);
        CreateContainerResult result = await handler.CreateContainerAsync(evil.Pod, evil.Container, CancellationToken.None);

        Assert.Equal("1,5", result.Adjustment!.Linux.Resources.Cpu.Cpus);
        AssertDecoysUntouched();
        Assert.Contains($"pod default/pod-evil: refused to write cpu.max = max in cgroup \"{cgroupParent.Trim('/')}\"", await File.ReadAllTextAsync(log), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x/../../system.slice/x.service")]
    [InlineData("..")]
    [InlineData("pod\nuid")]
    public async Task A_pod_uid_that_could_climb_out_of_a_systemd_slice_is_refused(string uid)
    {
        (ResourcePolicyHandler handler, _) = Configure(PluginScenario.StaticCpuConfig + "\n[cgroup]\ncgroupDriver = \"systemd\"\n");
        CreateContainerRequest evil = WithParent(PluginScenario.Guaranteed(uid, "c-evil", 2), "kubepods-pod.slice");
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => handler.CreateContainerAsync(evil.Pod, evil.Container, CancellationToken.None).AsTask());
        Assert.Contains("it cannot name a cgroup", refused.Message, StringComparison.Ordinal);
        AssertDecoysUntouched();
    }

    [Fact]
    public async Task Memory_qos_writes_of_a_hostile_pod_stay_inside_the_tree()
    {
        Directory.CreateDirectory(Path.Combine(_mount, "kubepods", "burstable"));
        Directory.CreateDirectory(Path.Combine(_mount, "kubepods", "besteffort"));
        foreach (string cgroup in (string[])["kubepods", "kubepods/burstable", "kubepods/besteffort"])
        {
            foreach (string file in (string[])["memory.min", "memory.low", "memory.high"])
            {
                File.WriteAllText(Path.Combine(_mount, cgroup, file), file == "memory.high" ? "max\n" : "0\n");
            }
        }
        (ResourcePolicyHandler handler, string log) = Configure(PluginScenario.StaticCpuConfig + $"""

            [memoryQoS]
            enabled = true
            memoryReservationPolicy = "TieredReservation"
            [cgroup]
            mountPath = "{_mount}"
            """);
        CreateContainerRequest evil = WithParent(PluginScenario.Guaranteed("evil", "c-evil", 1), "/kubepods/../system.slice/x.service");
        await handler.CreateContainerAsync(evil.Pod, evil.Container, CancellationToken.None);
        AssertDecoysUntouched();
        Assert.Contains("memory QoS pod default/pod-evil: refused to write memory.min", await File.ReadAllTextAsync(log), StringComparison.Ordinal);
        // The plan was refused as a whole: the QoS parent was not raised for a pod that got nothing.
        Assert.Equal("0", (await File.ReadAllTextAsync(Path.Combine(_mount, "kubepods", "memory.min"))).Trim());
    }

    [Theory]
    [InlineData(1UL << 54, null, null, "cpu shares 18014398509481984")]
    [InlineData(1024UL, 1L << 60, ulong.MaxValue, "cpu period 18446744073709551615")]
    [InlineData(1024UL, 1L << 60, 100_000UL, "cpu quota 1152921504606846976")]
    public async Task Numbers_no_kubelet_sends_refuse_the_container_naming_field_and_value(ulong shares, long? quota, ulong? period, string named)
    {
        (ResourcePolicyHandler handler, _) = Configure(PluginScenario.StaticCpuConfig);
        CreateContainerRequest request = PluginScenario.Guaranteed("g", "c", 1);
        request.Container.Linux.Resources.Cpu.Shares.Value = shares;
        if (quota is { } q)
        {
            request.Container.Linux.Resources.Cpu.Quota = new OptionalInt64 { Value = q };
        }
        if (period is { } p)
        {
            request.Container.Linux.Resources.Cpu.Period.Value = p;
        }
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => handler.CreateContainerAsync(request.Pod, request.Container, CancellationToken.None).AsTask());
        Assert.Contains($"pod default/pod-g: {named}", refused.Message, StringComparison.Ordinal);
        Assert.Empty(handler.Engine!.Cpu!.Containers);
    }

    [Fact]
    public void An_invalid_configuration_is_passive_and_says_how_to_recover()
    {
        (ResourcePolicyHandler handler, _) = Configure("[cpuManager]\npolicy = \"statik\"\n");
        ResourceManagementStatus.Snapshot status = handler.Status.Now;
        Assert.Equal(PassiveReason.InvalidConfiguration, status.Reason);
        Assert.Equal("invalid_configuration", ResourceManagementStatus.Label(status.Reason));
        Assert.Contains("cpuManager.policy", status.Detail, StringComparison.Ordinal);
        Assert.Contains("restart containerd", status.Detail, StringComparison.Ordinal);

        (ResourcePolicyHandler good, _) = Configure(PluginScenario.StaticCpuConfig);
        Assert.True(good.Status.Now.IsActive);
    }
}
