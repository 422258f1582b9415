using System.Globalization;
using ResMgrLite.CriTool.Cri.V1;
using ResMgrLite.CriTool.Kube;
using ResMgrLite.CriTool.Sandbox;
using ResMgrLite.EndToEnd.Tests.Support;

namespace ResMgrLite.EndToEnd.Tests;

/// <summary>
/// The harness on its own, without any plugin: the private containerd, the CRI driver's
/// kubelet-style requests and what the kernel then shows. If these fail, plugin tests cannot
/// mean anything.
/// </summary>
[Collection(RealContainerdCollection.Name)]
public sealed class HarnessTests
{
    [RealContainerdTheory]
    [MemberData(nameof(Runtimes.Names), MemberType = typeof(Runtimes))]
    public async Task Pods_run_with_the_kubelet_cgroup_values_without_nri_and_leave_nothing_behind(string containerd)
    {
        using var cancellation = new CancellationTokenSource(Timeouts.Test);
        var token = cancellation.Token;
        var sandbox = await ContainerdSandbox.StartAsync(E2eEnvironment.Current, new SandboxOptions("harness", EnableNri: false, Runtime: ContainerdRuntime.Find(containerd)), token);
        string podCgroup;
        await using (sandbox)
        {
            Assert.False(File.Exists(sandbox.NriSocketPath), "NRI is disabled, yet its socket exists");
            var pod = new PodSpec(
                "harness-burstable",
                [
                    new ContainerSpec("small", new ResourceAmounts(250, ResourceAmounts.Mebibytes(32)), new ResourceAmounts(500, ResourceAmounts.Mebibytes(64))),
                    new ContainerSpec("unlimited", new ResourceAmounts(100, 0), ResourceAmounts.None),
                ],
                annotations: new Dictionary<string, string> { ["example.com/note"] = "kept as is" });
            Assert.Equal(QosClass.Burstable, pod.QosClass);
            var running = await sandbox.Pods.RunAsync(pod, token);
            podCgroup = running.CgroupParent;
            Assert.Equal($"/kubepods/burstable/pod{pod.Uid}", podCgroup);

            var sandboxStatus = await sandbox.Pods.Cri.Runtime.PodSandboxStatusAsync(
                new PodSandboxStatusRequest { PodSandboxId = running.SandboxId }, cancellationToken: token);
            Assert.Equal(PodSandboxState.SandboxReady, sandboxStatus.Status.State);
            Assert.Equal("kept as is", sandboxStatus.Status.Annotations["example.com/note"]);
            Assert.Equal(pod.Uid, sandboxStatus.Status.Labels[KubernetesKeys.PodUid]);

            var listed = await sandbox.Pods.Cri.Runtime.ListContainersAsync(
                new ListContainersRequest { Filter = new ContainerFilter { PodSandboxId = running.SandboxId } }, cancellationToken: token);
            Assert.Equal(
                ["small", "unlimited"],
                listed.Containers.Select(c => c.Labels[KubernetesKeys.ContainerName]).Order(StringComparer.Ordinal));

            foreach (var container in running.Containers)
            {
                var status = await sandbox.Pods.StatusAsync(container.Id, token);
                Assert.Equal(ContainerState.ContainerRunning, status.State);
                var kernel = sandbox.Cgroups.ReadContainer(running.CgroupParent, container.Id);
                var requested = container.RequestedResources;
                Assert.Equal(requested.CpuShares.ToString(CultureInfo.InvariantCulture), kernel.CpuWeight);
                Assert.Equal(requested.CpuQuota == 0 ? "-1" : requested.CpuQuota.ToString(CultureInfo.InvariantCulture), kernel.CpuQuota);
                Assert.Equal(requested.MemoryLimitInBytes == 0 ? "max" : requested.MemoryLimitInBytes.ToString(CultureInfo.InvariantCulture), kernel.MemoryLimit);
            }

            // The kubelet formulas, spelled out once: 250m → 256 shares, 500m → 50 ms per 100 ms.
            var small = running.Container("small").RequestedResources;
            Assert.Equal(256, small.CpuShares);
            Assert.Equal(50_000, small.CpuQuota);
            Assert.Equal(100_000, small.CpuPeriod);

            await sandbox.Pods.RemoveAsync(running, token);
            var afterRemoval = await sandbox.Pods.Cri.Runtime.ListContainersAsync(new ListContainersRequest(), cancellationToken: token);
            Assert.Empty(afterRemoval.Containers);
            foreach (var container in running.Containers)
            {
                Assert.False(sandbox.Cgroups.Exists(running.CgroupParent, container.Id), $"container cgroup {container.Id} outlived its container");
            }
        }

        LeftoverCheck.AssertNothingLeftBehind(sandbox.Directory, [podCgroup]);
    }

    [RealContainerdTheory]
    [MemberData(nameof(Runtimes.Names), MemberType = typeof(Runtimes))]
    public async Task All_qos_classes_run_with_nri_enabled_and_an_empty_plugin_dir(string containerd)
    {
        using var cancellation = new CancellationTokenSource(Timeouts.Test);
        var token = cancellation.Token;
        var sandbox = await ContainerdSandbox.StartAsync(E2eEnvironment.Current, new SandboxOptions("nri-empty", Runtime: ContainerdRuntime.Find(containerd)), token);
        var podCgroups = new List<string>();
        await using (sandbox)
        {
            Assert.True(File.Exists(sandbox.NriSocketPath), $"NRI is enabled, yet {sandbox.NriSocketPath} does not exist");
            Assert.Empty(Directory.EnumerateFileSystemEntries(sandbox.PluginDirectory));
            var guaranteed = new PodSpec("g", [new ContainerSpec("app", new ResourceAmounts(1000, ResourceAmounts.Mebibytes(64)), new ResourceAmounts(1000, ResourceAmounts.Mebibytes(64)))]);
            var burstable = new PodSpec("b", [new ContainerSpec("app", new ResourceAmounts(100, ResourceAmounts.Mebibytes(256)), ResourceAmounts.None)]);
            var bestEffort = new PodSpec("be", [new ContainerSpec("app", ResourceAmounts.None, ResourceAmounts.None)]);
            Assert.Equal(
                [QosClass.Guaranteed, QosClass.Burstable, QosClass.BestEffort],
                new[] { guaranteed, burstable, bestEffort }.Select(p => p.QosClass));

            var containerdAdj = ContainerProbe.OomScoreAdj(sandbox.ContainerdPid!.Value);
            foreach (var (pod, expectedParent) in new[]
            {
                (guaranteed, $"/kubepods/pod{guaranteed.Uid}"),
                (burstable, $"/kubepods/burstable/pod{burstable.Uid}"),
                (bestEffort, $"/kubepods/besteffort/pod{bestEffort.Uid}"),
            })
            {
                var running = await sandbox.Pods.RunAsync(pod, token);
                podCgroups.Add(running.CgroupParent);
                Assert.Equal(expectedParent, running.CgroupParent);
                var container = running.Container("app");
                Assert.True(sandbox.Cgroups.Exists(running.CgroupParent, container.Id), $"no cgroup for {pod.Name}/app under {running.CgroupParent}");
                // restrict_oom_score_adj = true: containerd raises a score below its own to its own.
                var pid = await ContainerProbe.PidAsync(sandbox.Pods, container.Id, token);
                Assert.Equal(Math.Max(containerdAdj, (int)container.RequestedResources.OomScoreAdj), ContainerProbe.OomScoreAdj(pid));
            }

            Assert.True(sandbox.IsContainerdRunning, "containerd died with NRI enabled and no plugin");
        }

        LeftoverCheck.AssertNothingLeftBehind(sandbox.Directory, podCgroups);
    }

    [RealContainerdTheory]
    [MemberData(nameof(Runtimes.Names), MemberType = typeof(Runtimes))]
    public async Task UpdateContainerResources_reaches_the_kernel(string containerd)
    {
        using var cancellation = new CancellationTokenSource(Timeouts.Test);
        var token = cancellation.Token;
        await using var sandbox = await ContainerdSandbox.StartAsync(E2eEnvironment.Current, new SandboxOptions("update", Runtime: ContainerdRuntime.Find(containerd)), token);
        var pod = new PodSpec("resize", [new ContainerSpec("app", new ResourceAmounts(200, ResourceAmounts.Mebibytes(64)), new ResourceAmounts(400, ResourceAmounts.Mebibytes(128)))]);
        var running = await sandbox.Pods.RunAsync(pod, token);
        var container = running.Container("app");
        var lastCpu = HostFacts.OnlineCpuCount() - 1;

        var resized = container.RequestedResources.Clone();
        resized.CpuShares = KubeletFormulas.MilliCpuToShares(300);
        resized.CpuQuota = KubeletFormulas.MilliCpuToQuota(600, KubeletFormulas.QuotaPeriodMicroseconds);
        resized.MemoryLimitInBytes = ResourceAmounts.Mebibytes(192);
        resized.CpusetCpus = lastCpu.ToString(CultureInfo.InvariantCulture);
        await sandbox.Pods.UpdateResourcesAsync(container.Id, resized, token);

        var kernel = sandbox.Cgroups.ReadContainer(running.CgroupParent, container.Id);
        Assert.Equal("307", kernel.CpuWeight);
        Assert.Equal("60000", kernel.CpuQuota);
        Assert.Equal(ResourceAmounts.Mebibytes(192).ToString(CultureInfo.InvariantCulture), kernel.MemoryLimit);
        Assert.Equal(resized.CpusetCpus, kernel.Cpus);
        var status = await sandbox.Pods.StatusAsync(container.Id, token);
        Assert.Equal(ResourceAmounts.Mebibytes(192), status.Resources.Linux.MemoryLimitInBytes);
    }

    /// <summary>
    /// Proves the harness's plugin_path and conf.d are the ones containerd scans, and pins down
    /// what each runtime does with a pre-launched plugin that never registers within
    /// plugin_registration_timeout (5 s): containerd 1.7.24 gives up entirely (the trap every
    /// pre-launched plugin must avoid there); containerd 2.x logs a warning, finishes booting
    /// without the plugin and serves CRI.
    /// </summary>
    [RealContainerdTheory]
    [MemberData(nameof(Runtimes.Names), MemberType = typeof(Runtimes))]
    public async Task A_pre_launched_plugin_that_never_registers_stops_containerd_1_but_not_2(string containerd)
    {
        using var cancellation = new CancellationTokenSource(Timeouts.Test);
        var token = cancellation.Token;
        var runtime = ContainerdRuntime.Find(containerd);
        var silentPlugin = Path.Combine(Path.GetTempPath(), $"resmgrlite-silent-{Guid.NewGuid():N}.sh");
        await File.WriteAllTextAsync(silentPlugin, "#!/bin/sh\n# Never registers: holds fd 3 and waits.\nwhile :; do sleep 1; done\n", token);
        var options = new SandboxOptions("silent-plugin", Plugins: [new PreLaunchedPlugin(silentPlugin, "10-silent", Config: "ignored = true\n")], Runtime: runtime);
        try
        {
            if (runtime.Major == 1)
            {
                var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ContainerdSandbox.StartAsync(E2eEnvironment.Current, options, token));
                Assert.Contains("containerd exited during start-up", failure.Message, StringComparison.Ordinal);
                Assert.Contains("10-silent", failure.Message, StringComparison.Ordinal);
                Assert.Contains("plugin registration timed out", failure.Message, StringComparison.Ordinal);
            }
            else
            {
                await using var sandbox = await ContainerdSandbox.StartAsync(E2eEnvironment.Current, options, token);
                await LogFile.WaitForAsync(
                    sandbox.ContainerdLogPath,
                    log => log.Contains("failed to start pre-installed NRI plugin \\\"silent\\\": plugin registration timed out", StringComparison.Ordinal),
                    Timeouts.PluginLog,
                    "containerd's warning that the silent plugin did not register",
                    token);
                Assert.True(sandbox.IsContainerdRunning, $"{runtime} exited although 2.x only warns:\n{LogFile.Tail(sandbox.ContainerdLog, 20)}");
                var pod = await sandbox.Pods.RunAsync(new PodSpec("without-plugin", [new ContainerSpec("app", ResourceAmounts.None, ResourceAmounts.None)]), token);
                Assert.Equal(ContainerState.ContainerRunning, (await sandbox.Pods.StatusAsync(pod.Containers[0].Id, token)).State);
            }
        }
        finally
        {
            File.Delete(silentPlugin);
        }

        Assert.False(
            Directory.Exists(E2eEnvironment.SandboxRoot) && Directory.EnumerateDirectories(E2eEnvironment.SandboxRoot, "silent-plugin-*").Any(),
            "the sandbox was not removed");
    }

    /// <summary>
    /// The configuration sandbox.sh writes is the runtime's own format, and the runtime reads every
    /// key of it: each plugin section names a plugin that loaded, each key = value written shows up
    /// with that value in `containerd config dump`, and containerd warns about no unknown key
    /// (containerd 2.x drops unknown keys with such a warning; a misspelt section would be kept
    /// as raw text, hence the loaded-plugin check).
    /// </summary>
    [RealContainerdTheory]
    [MemberData(nameof(Runtimes.Names), MemberType = typeof(Runtimes))]
    public async Task The_runtime_reads_every_key_of_its_generated_config(string containerd)
    {
        using var cancellation = new CancellationTokenSource(Timeouts.Test);
        var token = cancellation.Token;
        var runtime = ContainerdRuntime.Find(containerd);
        var environment = E2eEnvironment.Current;
        await using var sandbox = await ContainerdSandbox.StartAsync(environment, new SandboxOptions("config", Runtime: runtime), token);
        var written = TomlLines.Parse(await File.ReadAllTextAsync(sandbox.ConfigPath, token));
        Assert.Equal(runtime.ConfigVersion.ToString(CultureInfo.InvariantCulture), written[("", "version")]);

        var dumpOutput = ScriptRunner.Run(environment.ContainerdBinary(runtime), ["--config", sandbox.ConfigPath, "config", "dump"], sandbox.Directory, TimeSpan.FromSeconds(30));
        Assert.DoesNotContain("unknown key", dumpOutput, StringComparison.OrdinalIgnoreCase);
        var dumped = TomlLines.Parse(dumpOutput);
        var mismatches = written
            .Where(entry => !dumped.TryGetValue(entry.Key, out var value) || value != entry.Value)
            .Select(entry => $"[{entry.Key.Section}] {entry.Key.Key} = {entry.Value} (dump: {dumped.GetValueOrDefault(entry.Key) ?? "missing"})")
            .ToList();
        Assert.True(mismatches.Count == 0, $"{runtime} does not read these keys as written:\n{string.Join('\n', mismatches)}");

        var plugins = ScriptRunner.Run(environment.CtrBinary(runtime), ["--address", Path.Combine(sandbox.Directory, "containerd.sock"), "plugins", "ls"], sandbox.Directory, TimeSpan.FromSeconds(30))
            .Split('\n')
            .Select(line => line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 3 && fields[^1] == "ok")
            .Select(fields => $"{fields[0]}.{fields[1]}")
            .ToHashSet(StringComparer.Ordinal);
        var sections = written.Keys.Select(key => TomlLines.PluginOf(key.Section)).OfType<string>().Distinct().ToList();
        Assert.NotEmpty(sections);
        Assert.All(sections, plugin => Assert.True(plugins.Contains(plugin), $"{runtime}: the configured plugin {plugin} is not loaded (loaded: {string.Join(", ", plugins.Order())})"));
    }

    /// <summary>The restart the external-plugin reconnect test relies on: containerd goes, containers stay.</summary>
    [RealContainerdTheory]
    [MemberData(nameof(Runtimes.Names), MemberType = typeof(Runtimes))]
    public async Task Containers_keep_running_across_a_containerd_restart(string containerd)
    {
        using var cancellation = new CancellationTokenSource(Timeouts.Test);
        var token = cancellation.Token;
        var sandbox = await ContainerdSandbox.StartAsync(E2eEnvironment.Current, new SandboxOptions("restart", Runtime: ContainerdRuntime.Find(containerd)), token);
        string podCgroup;
        await using (sandbox)
        {
            var running = await sandbox.Pods.RunAsync(new PodSpec("survivor", [new ContainerSpec("app", ResourceAmounts.None, ResourceAmounts.None)]), token);
            podCgroup = running.CgroupParent;
            var pidBefore = await ContainerProbe.PidAsync(sandbox.Pods, running.Containers[0].Id, token);
            var containerdBefore = sandbox.ContainerdPid;

            await sandbox.RestartContainerdAsync(token);

            Assert.NotEqual(containerdBefore, sandbox.ContainerdPid);
            var status = await sandbox.Pods.StatusAsync(running.Containers[0].Id, token);
            Assert.Equal(ContainerState.ContainerRunning, status.State);
            Assert.Equal(pidBefore, await ContainerProbe.PidAsync(sandbox.Pods, running.Containers[0].Id, token));
            var second = await sandbox.Pods.RunAsync(new PodSpec("newcomer", [new ContainerSpec("app", ResourceAmounts.None, ResourceAmounts.None)]), token);
            Assert.Equal(ContainerState.ContainerRunning, (await sandbox.Pods.StatusAsync(second.Containers[0].Id, token)).State);
        }

        LeftoverCheck.AssertNothingLeftBehind(sandbox.Directory, [podCgroup]);
    }
}
