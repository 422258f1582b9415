using ResMgrLite.CriTool.Cri;
using ResMgrLite.CriTool.Cri.V1;
using ResMgrLite.CriTool.Kube;
using ResMgrLite.CriTool.Sandbox;
using ResMgrLite.EndToEnd.Tests.Support;

namespace ResMgrLite.EndToEnd.Tests;

/// <summary>
/// The published static binary as an NRI plugin of a real containerd 1.7.24, pre-launched and
/// external. Until the resource engine lands the plugin's placement rule is: a pod annotated
/// resmgrlite.io/cpuset gets that cpulist as its containers' cpuset.
/// </summary>
[Collection(RealContainerdCollection.Name)]
public sealed class PluginTests
{
    [PluginFact]
    public async Task Pre_launched_plugin_registers_and_the_kernel_shows_the_cpuset_it_returns()
    {
        using var cancellation = new CancellationTokenSource(Timeouts.Test);
        var token = cancellation.Token;
        await using var sandbox = await ContainerdSandbox.StartAsync(
            E2eEnvironment.Current, new SandboxOptions("prelaunched", Plugins: [PublishedPlugin.PreLaunched()]), token);
        // containerd 1.7.24 exits when a pre-launched plugin does not register within 5 s, so
        // a running containerd with a live plugin process means registration worked.
        Assert.True(sandbox.IsContainerdRunning, $"containerd exited:\n{LogFile.Tail(sandbox.ContainerdLog, 30)}");
        Assert.NotEmpty(sandbox.PreLaunchedPluginPids(PublishedPlugin.PreLaunchedFileName));
        var pinned = await sandbox.Pods.RunAsync(AnnotatedPod("pinned-pod", "pinned-ctr", Cpus.LastCpu), token);
        var plain = await sandbox.Pods.RunAsync(PlainPod("plain-pod", "plain-ctr"), token);

        Assert.Equal(Cpus.LastCpu, sandbox.Cgroups.ReadContainer(pinned.CgroupParent, pinned.Containers[0].Id).Cpus);
        Assert.Equal(Cpus.AllOnline, sandbox.Cgroups.ReadContainer(plain.CgroupParent, plain.Containers[0].Id).Cpus);

        // The log file and level come from conf.d/50-resmgrlite.conf (PluginConfig): the only way
        // to configure a pre-launched plugin.
        try
        {
            await PluginLog.WaitForConfiguredAsync(sandbox.PluginLogPath, token);
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException(
                $"{exception.Message}\nThe pre-launched plugin did not log where its conf.d file's log.target says "
                + "(config handed to PluginMain.TryRunPreLaunched's readLogSettings?). Config was:\n"
                + File.ReadAllText(Path.Combine(sandbox.PluginConfigDirectory, PublishedPlugin.PreLaunchedFileName + ".conf")),
                exception);
        }

        await PluginLog.WaitForAsync(sandbox.PluginLogPath, "CreateContainer", token, "pinned-ctr");
        await PluginLog.WaitForAsync(sandbox.PluginLogPath, "CreateContainer", token, "plain-ctr");

        await sandbox.Pods.RemoveAsync(pinned, token);
        await PluginLog.WaitForAsync(sandbox.PluginLogPath, "RemoveContainer", token, "pinned-ctr");
        Assert.True(sandbox.IsContainerdRunning, "containerd died during the pod lifecycle");
    }

    [PluginFact]
    public async Task Containers_are_still_created_after_the_pre_launched_plugin_dies()
    {
        using var cancellation = new CancellationTokenSource(Timeouts.Test);
        var token = cancellation.Token;
        await using var sandbox = await ContainerdSandbox.StartAsync(
            E2eEnvironment.Current, new SandboxOptions("plugin-dies", Plugins: [PublishedPlugin.PreLaunched()]), token);
        var pids = sandbox.PreLaunchedPluginPids(PublishedPlugin.PreLaunchedFileName);
        Assert.NotEmpty(pids);
        foreach (var pid in pids)
        {
            System.Diagnostics.Process.GetProcessById(pid).Kill();
        }

        await WaitUntilAsync(() => sandbox.PreLaunchedPluginPids(PublishedPlugin.PreLaunchedFileName).Count == 0, "the plugin to exit", token);

        var pod = await sandbox.Pods.RunAsync(AnnotatedPod("after-crash", "after-crash-ctr", Cpus.LastCpu), token);
        var status = await sandbox.Pods.StatusAsync(pod.Containers[0].Id, token);
        Assert.Equal(ContainerState.ContainerRunning, status.State);
        // Nobody narrowed the cpuset: the plugin is gone and containerd went on without it.
        Assert.Equal(Cpus.AllOnline, sandbox.Cgroups.ReadContainer(pod.CgroupParent, pod.Containers[0].Id).Cpus);
        Assert.True(sandbox.IsContainerdRunning, "containerd died with its plugin");
    }

    [PluginFact]
    public async Task External_plugin_sets_the_cpuset_and_resyncs_when_restarted_after_a_kill()
    {
        using var cancellation = new CancellationTokenSource(Timeouts.Test);
        var token = cancellation.Token;
        await using var sandbox = await ContainerdSandbox.StartAsync(E2eEnvironment.Current, new SandboxOptions("external"), token);
        var binary = E2eEnvironment.Current.RequireBinary();
        var firstLog = Path.Combine(sandbox.Directory, "external-1.log");
        var secondLog = Path.Combine(sandbox.Directory, "external-2.log");

        RunningPod before;
        using (var first = ExternalPlugin.Start(binary, sandbox.NriSocketPath, firstLog))
        {
            await WaitForRegistrationAsync(firstLog, first, token);
            before = await sandbox.Pods.RunAsync(AnnotatedPod("before-kill", "before-kill-ctr", Cpus.LastCpu), token);
            Assert.Equal(Cpus.LastCpu, sandbox.Cgroups.ReadContainer(before.CgroupParent, before.Containers[0].Id).Cpus);
            first.Kill();
        }

        // No plugin: creation goes on, the cpuset stays the default.
        var during = await sandbox.Pods.RunAsync(AnnotatedPod("while-dead", "while-dead-ctr", Cpus.LastCpu), token);
        Assert.Equal(Cpus.AllOnline, sandbox.Cgroups.ReadContainer(during.CgroupParent, during.Containers[0].Id).Cpus);

        using var second = ExternalPlugin.Start(binary, sandbox.NriSocketPath, secondLog);
        await WaitForRegistrationAsync(secondLog, second, token);
        // Resync: the new process learns about the containers that exist already.
        var synchronized = await PluginLog.WaitForAsync(secondLog, "Synchronize", token);
        Assert.Equal(2, PluginLog.LastSynchronizedContainerCount(synchronized));

        var after = await sandbox.Pods.RunAsync(AnnotatedPod("after-restart", "after-restart-ctr", Cpus.LastCpu), token);
        Assert.Equal(Cpus.LastCpu, sandbox.Cgroups.ReadContainer(after.CgroupParent, after.Containers[0].Id).Cpus);
        Assert.False(second.HasExited, $"the restarted plugin exited:\n{second.Output}");
    }

    [PluginFact]
    public async Task External_plugin_reconnects_when_containerd_restarts()
    {
        using var cancellation = new CancellationTokenSource(Timeouts.Test);
        var token = cancellation.Token;
        await using var sandbox = await ContainerdSandbox.StartAsync(E2eEnvironment.Current, new SandboxOptions("reconnect"), token);
        var log = Path.Combine(sandbox.Directory, "external.log");
        using var plugin = ExternalPlugin.Start(E2eEnvironment.Current.RequireBinary(), sandbox.NriSocketPath, log);
        await WaitForRegistrationAsync(log, plugin, token);
        var existing = await sandbox.Pods.RunAsync(AnnotatedPod("survivor", "survivor-ctr", Cpus.LastCpu), token);

        await sandbox.RestartContainerdAsync(token);

        // A second handshake on the new socket, by the same process, and a resync that includes
        // the container that kept running through the restart.
        var log2 = await LogFile.WaitForAsync(
            log, text => PluginLog.ConfiguredCount(text) >= 2 && PluginLog.Count(text, "Synchronize") >= 2, Timeouts.PluginLog, "a second Configure and Synchronize", token);
        Assert.Equal(1, PluginLog.LastSynchronizedContainerCount(log2));
        Assert.False(plugin.HasExited, $"the plugin exited instead of reconnecting:\n{plugin.Output}");
        var status = await sandbox.Pods.StatusAsync(existing.Containers[0].Id, token);
        Assert.Equal(ContainerState.ContainerRunning, status.State);

        var fresh = await sandbox.Pods.RunAsync(AnnotatedPod("after-reconnect", "after-reconnect-ctr", Cpus.LastCpu), token);
        Assert.Equal(Cpus.LastCpu, sandbox.Cgroups.ReadContainer(fresh.CgroupParent, fresh.Containers[0].Id).Cpus);
    }

    private static PodSpec AnnotatedPod(string podName, string containerName, string cpuset) =>
        new(podName,
            [new ContainerSpec(containerName, new ResourceAmounts(100, ResourceAmounts.Mebibytes(32)), new ResourceAmounts(200, ResourceAmounts.Mebibytes(64)))],
            annotations: new Dictionary<string, string> { [KubernetesKeys.ResMgrLiteCpuset] = cpuset });

    private static PodSpec PlainPod(string podName, string containerName) =>
        new(podName, [new ContainerSpec(containerName, new ResourceAmounts(100, ResourceAmounts.Mebibytes(32)), ResourceAmounts.None)]);

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
