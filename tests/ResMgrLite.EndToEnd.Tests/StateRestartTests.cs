using ResMgrLite.CriTool.Cri;
using ResMgrLite.CriTool.Cri.V1;
using ResMgrLite.CriTool.Kube;
using ResMgrLite.CriTool.Sandbox;
using ResMgrLite.EndToEnd.Tests.Support;

namespace ResMgrLite.EndToEnd.Tests;

/// <summary>
/// A pre-launched plugin of a real containerd 1.7.24 (which never sends it
/// Synchronize, docs/nri-rules.md §6) is killed and containerd restarted while pods run. The
/// relaunched plugin must take its allocations from the state file: running containers keep their
/// cpusets, the CPU an exclusive pod holds is not handed out again, and once it is freed a new
/// Guaranteed pod is placed on it. Written for a 2-CPU host: CPU 0 reserved, Guaranteed pods get 1 CPU.
/// </summary>
[Collection(RealContainerdCollection.Name)]
public sealed class StateRestartTests
{
    private const string Config = $"""
        # Written by the ResMgrLite end-to-end harness (StateRestartTests).
        [state]
        directory = "{PreLaunchedPlugin.SandboxPlaceholder}/state"

        [cpuManager]
        policy = "static"
        reservedSystemCPUs = "0"

        [log]
        target = "{PreLaunchedPlugin.SandboxPlaceholder}/resmgrlite.log"
        level = "debug"

        """;

    [RealContainerdTheory]
    [MemberData(nameof(Runtimes.Names), MemberType = typeof(Runtimes))]
    public async Task Allocations_survive_plugin_and_containerd_restarts_and_new_pods_are_still_placed(string containerd)
    {
        using var cancellation = new CancellationTokenSource(Timeouts.Test);
        var token = cancellation.Token;
        var plugin = new PreLaunchedPlugin(E2eEnvironment.Current.RequireBinary(), PublishedPlugin.PreLaunchedFileName, Config);
        await using var sandbox = await ContainerdSandbox.StartAsync(
            E2eEnvironment.Current, new SandboxOptions("state-restart", Plugins: [plugin], Runtime: ContainerdRuntime.Find(containerd)), token);
        await PluginLog.WaitForConfiguredAsync(sandbox.PluginLogPath, token);
        string statePath = Path.Combine(sandbox.Directory, "state", "resmgrlite_state");
        string exclusiveCpu = Cpus.AllOnline.Max().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var guaranteed = await sandbox.Pods.RunAsync(GuaranteedPod("pinned-pod", "pinned-ctr"), token);
        var burstable = await sandbox.Pods.RunAsync(BurstablePod("shared-pod", "shared-ctr"), token);
        string? pinnedBefore = sandbox.Cgroups.ReadContainer(guaranteed.CgroupParent, guaranteed.Containers[0].Id).Cpus;
        string sharedBefore = sandbox.Cgroups.ReadContainer(burstable.CgroupParent, burstable.Containers[0].Id).Cpus ?? "";
        Assert.True(pinnedBefore == exclusiveCpu, $"the Guaranteed container got \"{pinnedBefore}\", not CPU {exclusiveCpu}; plugin log:\n{LogFile.Tail(LogFile.Read(sandbox.PluginLogPath), 40)}");
        Assert.False(Holds(sharedBefore, exclusiveCpu), $"shared container on {sharedBefore}");
        Assert.True(File.Exists(statePath), $"no state file at {statePath}");

        // 1. The plugin dies; containerd goes on without it; then containerd restarts and relaunches it.
        foreach (int pid in sandbox.PreLaunchedPluginPids(PublishedPlugin.PreLaunchedFileName))
        {
            System.Diagnostics.Process.GetProcessById(pid).Kill();
        }
        await sandbox.RestartContainerdAsync(token);
        var restored = await LogFile.WaitForAsync(
            sandbox.PluginLogPath, text => text.Contains("state: restored ", StringComparison.Ordinal),
            Timeouts.PluginLog, "the relaunched plugin to restore its state file", token);
        // The exclusive container was written before its answer; the shared one rides with the next
        // write (reconcile period or shutdown), which a killed plugin may not have reached: 1 or 2.
        Assert.DoesNotContain("state: restored 0 container(s)", restored, StringComparison.Ordinal);
        Assert.DoesNotContain("Resource management is OFF", restored, StringComparison.Ordinal);
        Assert.NotEmpty(sandbox.PreLaunchedPluginPids(PublishedPlugin.PreLaunchedFileName));

        // 2. Allocations survived: the kernel shows the same cpusets.
        Assert.Equal(pinnedBefore, sandbox.Cgroups.ReadContainer(guaranteed.CgroupParent, guaranteed.Containers[0].Id).Cpus);
        Assert.Equal(sharedBefore, sandbox.Cgroups.ReadContainer(burstable.CgroupParent, burstable.Containers[0].Id).Cpus);

        // 3. The exclusive CPU is still owned: a second Guaranteed pod finds no free CPU. A plugin
        //    that forgot its state would pin it onto the first pod's CPU.
        await Assert.ThrowsAnyAsync<Exception>(() => sandbox.Pods.RunAsync(GuaranteedPod("no-room-pod", "no-room-ctr"), token));
        Assert.Contains("refused", await File.ReadAllTextAsync(sandbox.PluginLogPath, token), StringComparison.Ordinal);

        // 4. Restart containerd once more (the plugin is relaunched and restores again); a new
        //    shared pod is placed on the shared pool, never on the exclusive CPU, and the running
        //    containers still have their cpusets.
        await sandbox.RestartContainerdAsync(token);
        await LogFile.WaitForAsync(
            sandbox.PluginLogPath, text => text.Split("state: restored ").Length >= 3,
            Timeouts.PluginLog, "the plugin to restore its state a second time", token);
        var shared2 = await sandbox.Pods.RunAsync(BurstablePod("shared-pod-2", "shared-ctr-2"), token);
        string? placed = sandbox.Cgroups.ReadContainer(shared2.CgroupParent, shared2.Containers[0].Id).Cpus;
        Assert.Equal(sharedBefore, placed);
        Assert.False(Holds(placed, exclusiveCpu), $"new shared container on {placed}");
        Assert.Equal(pinnedBefore, sandbox.Cgroups.ReadContainer(guaranteed.CgroupParent, guaranteed.Containers[0].Id).Cpus);
        await Assert.ThrowsAnyAsync<Exception>(() => sandbox.Pods.RunAsync(GuaranteedPod("still-no-room-pod", "still-no-room-ctr"), token));
        var status = await sandbox.Pods.StatusAsync(guaranteed.Containers[0].Id, token);
        Assert.Equal(ContainerState.ContainerRunning, status.State);
        Assert.True(sandbox.IsContainerdRunning, "containerd died during the restarts");

        // Not checked here: containerd 1.7.24 delivered no NRI event to the relaunched plugin when a
        // pod created before its restart was removed (observed: the state file kept the entry), so
        // freeing such a pod's CPU cannot be shown on a 2-CPU host (see docs/state.md).
    }

    private static PodSpec GuaranteedPod(string podName, string containerName) =>
        new(podName, [new ContainerSpec(containerName, new ResourceAmounts(1000, ResourceAmounts.Mebibytes(64)), new ResourceAmounts(1000, ResourceAmounts.Mebibytes(64)))]);

    private static PodSpec BurstablePod(string podName, string containerName) =>
        new(podName, [new ContainerSpec(containerName, new ResourceAmounts(100, ResourceAmounts.Mebibytes(32)), ResourceAmounts.None)]);

    private static bool Holds(string? cpus, string cpu) => cpus is not null &&
        ResMgrLite.Engine.CpuSet.Parse(cpus).Contains(int.Parse(cpu, System.Globalization.CultureInfo.InvariantCulture));
}
