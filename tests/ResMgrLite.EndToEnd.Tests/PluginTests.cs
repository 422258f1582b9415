using System.Globalization;
using ResMgrLite.CriTool.Cri;
using ResMgrLite.CriTool.Cri.V1;
using ResMgrLite.CriTool.Kube;
using ResMgrLite.CriTool.Sandbox;
using ResMgrLite.EndToEnd.Tests.Support;
using ResMgrLite.Engine;

namespace ResMgrLite.EndToEnd.Tests;

/// <summary>
/// The published static binary as an NRI plugin of each real containerd (2.1.9, 1.7.24), pre-launched and
/// external, configured with the static CPU manager and CPU 0 reserved: a Guaranteed container
/// with one whole CPU gets one exclusive CPU (never a reserved one) with its CFS quota off; every
/// other container gets the shared pool, all CPUs but the exclusive ones (docs/kubelet-rules.md §3).
/// Each assertion reads the kernel's cgroup files.
/// Sandboxes carry LinuxPodSandboxConfig.resources as the kubelet sends them for every pod; the
/// plugin must not mistake them for a KEP-5526 pod-level budget.
/// </summary>
[Collection(RealContainerdCollection.Name)]
public sealed class PluginTests
{
    [RealContainerdTheory]
    [MemberData(nameof(Runtimes.Names), MemberType = typeof(Runtimes))]
    public async Task Pre_launched_plugin_registers_and_the_kernel_shows_the_cpusets_it_returns(string containerd)
    {
        using var cancellation = new CancellationTokenSource(Timeouts.Test);
        var token = cancellation.Token;
        await using var sandbox = await ContainerdSandbox.StartAsync(
            E2eEnvironment.Current, new SandboxOptions("prelaunched", Plugins: [PublishedPlugin.PreLaunched()], Runtime: ContainerdRuntime.Find(containerd)), token);
        // containerd 1.7.24 exits when a pre-launched plugin does not register within 5 s; 2.x goes
        // on without it. Either way its own log names the registration.
        Assert.True(sandbox.IsContainerdRunning, $"containerd exited:\n{LogFile.Tail(sandbox.ContainerdLog, 30)}");
        Assert.NotEmpty(sandbox.PreLaunchedPluginPids(PublishedPlugin.PreLaunchedFileName));
        await LogFile.WaitForAsync(
            sandbox.ContainerdLogPath, log => log.Contains(PublishedPlugin.RegisteredLogText, StringComparison.Ordinal),
            Timeouts.PluginLog, $"{sandbox.Runtime} logging the plugin's registration", token);

        var guaranteed = await sandbox.Pods.RunAsync(GuaranteedPod("pinned-pod", "pinned-ctr"), token);
        var exclusive = AssertExclusive(sandbox, guaranteed);
        var burstable = await sandbox.Pods.RunAsync(BurstablePod("shared-pod", "shared-ctr"), token);
        Assert.Equal(Cpus.AllOnline.Except(exclusive), CpusOf(sandbox, burstable));

        // The log file and level come from conf.d/50-resmgrlite.conf: the only way to configure a
        // pre-launched plugin.
        try
        {
            await PluginLog.WaitForConfiguredAsync(sandbox.PluginLogPath, token);
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException(
                $"{exception.Message}\nThe pre-launched plugin did not log where its conf.d file's log.target says. Config was:\n"
                + File.ReadAllText(Path.Combine(sandbox.PluginConfigDirectory, PublishedPlugin.PreLaunchedFileName + ".conf")),
                exception);
        }

        await PluginLog.WaitForAsync(sandbox.PluginLogPath, "CreateContainer", token, "pinned-ctr", exclusive.ToString());
        var created = await PluginLog.WaitForAsync(sandbox.PluginLogPath, "CreateContainer", token, "shared-ctr");

        // containerd 2.x synchronizes a pre-launched plugin right after Configure (NRI v0.7+): an
        // empty node here. 1.7.24 never does, so by the time pods exist none has come.
        if (sandbox.Runtime.Major >= 2)
        {
            Assert.Equal(0, PluginLog.LastSynchronizedContainerCount(created));
        }
        else
        {
            Assert.False(PluginLog.Has(created, "synchronize:"), $"{sandbox.Runtime} sent a pre-launched plugin Synchronize:\n{LogFile.Tail(created, 20)}");
        }

        // Removing the Guaranteed pod returns its CPU to the shared pool; the plugin pushes the wider
        // cpuset to the running Burstable container on its own (UpdateContainers) at its next
        // reconcile pass (cpuManager.reconcilePeriod, 1 s in the harness configuration).
        await sandbox.Pods.RemoveAsync(guaranteed, token);
        await WaitForCpusAsync(sandbox, burstable, Cpus.AllOnline, token);
        Assert.True(sandbox.IsContainerdRunning, "containerd died during the pod lifecycle");
    }

    [RealContainerdTheory]
    [MemberData(nameof(Runtimes.Names), MemberType = typeof(Runtimes))]
    public async Task Containers_are_still_created_after_the_pre_launched_plugin_dies(string containerd)
    {
        using var cancellation = new CancellationTokenSource(Timeouts.Test);
        var token = cancellation.Token;
        await using var sandbox = await ContainerdSandbox.StartAsync(
            E2eEnvironment.Current, new SandboxOptions("plugin-dies", Plugins: [PublishedPlugin.PreLaunched()], Runtime: ContainerdRuntime.Find(containerd)), token);
        var pids = sandbox.PreLaunchedPluginPids(PublishedPlugin.PreLaunchedFileName);
        Assert.NotEmpty(pids);
        foreach (var pid in pids)
        {
            System.Diagnostics.Process.GetProcessById(pid).Kill();
        }

        await WaitUntilAsync(() => sandbox.PreLaunchedPluginPids(PublishedPlugin.PreLaunchedFileName).Count == 0, "the plugin to exit", token);

        var pod = await sandbox.Pods.RunAsync(GuaranteedPod("after-crash", "after-crash-ctr"), token);
        var status = await sandbox.Pods.StatusAsync(pod.Containers[0].Id, token);
        Assert.Equal(ContainerState.ContainerRunning, status.State);
        // Nobody narrowed the cpuset or lifted the quota: the plugin is gone and containerd went on without it.
        Assert.Equal(Cpus.AllOnline, CpusOf(sandbox, pod));
        Assert.Equal("100000", sandbox.Cgroups.ReadContainer(pod.CgroupParent, pod.Containers[0].Id).CpuQuota);
        Assert.True(sandbox.IsContainerdRunning, "containerd died with its plugin");
    }

    [RealContainerdTheory]
    [MemberData(nameof(Runtimes.Names), MemberType = typeof(Runtimes))]
    public async Task External_plugin_pins_cpus_and_resyncs_when_restarted_after_a_kill(string containerd)
    {
        using var cancellation = new CancellationTokenSource(Timeouts.Test);
        var token = cancellation.Token;
        await using var sandbox = await ContainerdSandbox.StartAsync(E2eEnvironment.Current, new SandboxOptions("external", Runtime: ContainerdRuntime.Find(containerd)), token);

        RunningPod pinned;
        CpuSet exclusive;
        using (var first = PublishedPlugin.StartExternal(sandbox, "external-1"))
        {
            await WaitForRegistrationAsync(PublishedPlugin.ExternalLogPath(sandbox, "external-1"), first, token);
            pinned = await sandbox.Pods.RunAsync(GuaranteedPod("before-kill", "before-kill-ctr"), token);
            exclusive = AssertExclusive(sandbox, pinned);
            first.Kill();
        }

        // No plugin: creation goes on, the cpuset stays the default.
        var whileDead = await sandbox.Pods.RunAsync(BurstablePod("while-dead", "while-dead-ctr"), token);
        Assert.Equal(Cpus.AllOnline, CpusOf(sandbox, whileDead));

        var secondLog = PublishedPlugin.ExternalLogPath(sandbox, "external-2");
        using var second = PublishedPlugin.StartExternal(sandbox, "external-2");
        await WaitForRegistrationAsync(secondLog, second, token);
        // Resync: the new process learns both running containers from Synchronize, keeps the
        // Guaranteed one on its CPU and moves the one created while it was away into the shared pool.
        var synchronized = await PluginLog.WaitForAsync(secondLog, "Synchronize", token);
        Assert.Equal(2, PluginLog.LastSynchronizedContainerCount(synchronized));
        await WaitForCpusAsync(sandbox, whileDead, Cpus.AllOnline.Except(exclusive), token);
        Assert.Equal(exclusive, CpusOf(sandbox, pinned));

        var afterRestart = await sandbox.Pods.RunAsync(BurstablePod("after-restart", "after-restart-ctr"), token);
        Assert.Equal(Cpus.AllOnline.Except(exclusive), CpusOf(sandbox, afterRestart));
        Assert.False(second.HasExited, $"the restarted plugin exited:\n{second.Output}");
    }

    [RealContainerdTheory]
    [MemberData(nameof(Runtimes.Names), MemberType = typeof(Runtimes))]
    public async Task External_plugin_reconnects_when_containerd_restarts(string containerd)
    {
        using var cancellation = new CancellationTokenSource(Timeouts.Test);
        var token = cancellation.Token;
        await using var sandbox = await ContainerdSandbox.StartAsync(E2eEnvironment.Current, new SandboxOptions("reconnect", Runtime: ContainerdRuntime.Find(containerd)), token);
        var log = PublishedPlugin.ExternalLogPath(sandbox, "external");
        using var plugin = PublishedPlugin.StartExternal(sandbox, "external");
        await WaitForRegistrationAsync(log, plugin, token);
        var survivor = await sandbox.Pods.RunAsync(GuaranteedPod("survivor", "survivor-ctr"), token);
        var exclusive = AssertExclusive(sandbox, survivor);

        await sandbox.RestartContainerdAsync(token);

        // A second handshake on the new socket, by the same process, and a resync that includes
        // the container that kept running through the restart.
        var text = await LogFile.WaitForAsync(
            log, t => PluginLog.ConfiguredCount(t) >= 2 && PluginLog.Count(t, "Synchronize") >= 2, Timeouts.PluginLog, "a second Configure and Synchronize", token);
        Assert.Equal(1, PluginLog.LastSynchronizedContainerCount(text));
        Assert.False(plugin.HasExited, $"the plugin exited instead of reconnecting:\n{plugin.Output}");
        Assert.Equal(ContainerState.ContainerRunning, (await sandbox.Pods.StatusAsync(survivor.Containers[0].Id, token)).State);

        // The reconnected plugin still knows the survivor's CPU is taken.
        var fresh = await sandbox.Pods.RunAsync(BurstablePod("after-reconnect", "after-reconnect-ctr"), token);
        Assert.Equal(Cpus.AllOnline.Except(exclusive), CpusOf(sandbox, fresh));
        Assert.Equal(exclusive, CpusOf(sandbox, survivor));
    }

    /// <summary>One whole CPU, request = limit for cpu and memory: Guaranteed, eligible for an exclusive CPU.</summary>
    private static PodSpec GuaranteedPod(string podName, string containerName)
    {
        var oneCpu = new ResourceAmounts(1000, ResourceAmounts.Mebibytes(64));
        return new PodSpec(podName, [new ContainerSpec(containerName, oneCpu, oneCpu)]);
    }

    private static PodSpec BurstablePod(string podName, string containerName) =>
        new(podName, [new ContainerSpec(containerName, new ResourceAmounts(100, ResourceAmounts.Mebibytes(32)), new ResourceAmounts(200, ResourceAmounts.Mebibytes(64)))]);

    private static CpuSet CpusOf(ContainerdSandbox sandbox, RunningPod pod) =>
        Cpus.Parse(sandbox.Cgroups.ReadContainer(pod.CgroupParent, pod.Containers[0].Id).Cpus);

    /// <summary>One CPU, not reserved, CFS quota off (docs/kubelet-rules.md §5.7).</summary>
    private static CpuSet AssertExclusive(ContainerdSandbox sandbox, RunningPod pod)
    {
        var cpus = CpusOf(sandbox, pod);
        Assert.Equal(1, cpus.Count);
        Assert.False(cpus.Overlaps(Cpus.Reserved), $"exclusive CPU {cpus} is a reserved one ({Cpus.Reserved})");
        Assert.Equal("-1", sandbox.Cgroups.ReadContainer(pod.CgroupParent, pod.Containers[0].Id).CpuQuota);
        return cpus;
    }

    private static async Task WaitForCpusAsync(ContainerdSandbox sandbox, RunningPod pod, CpuSet expected, CancellationToken token)
    {
        var deadline = DateTime.UtcNow + Timeouts.PluginLog;
        CpuSet seen;
        while ((seen = CpusOf(sandbox, pod)) != expected)
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{pod.Spec.Name}: the kernel still shows cpus {seen}, expected {expected}"));
            }

            await Task.Delay(100, token);
        }
    }

    private static async Task WaitForRegistrationAsync(string log, ExternalPlugin plugin, CancellationToken token)
    {
        try
        {
            await PluginLog.WaitForConfiguredAsync(log, token);
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException($"{exception.Message}\nplugin output:\n{plugin.Output}", exception);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what, CancellationToken token)
    {
        var deadline = DateTime.UtcNow + Timeouts.PluginLog;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(100, token);
        }
    }
}
