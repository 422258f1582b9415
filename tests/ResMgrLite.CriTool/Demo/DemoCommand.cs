using ResMgrLite.CriTool.Cri;
using ResMgrLite.CriTool.Kube;
using ResMgrLite.CriTool.Sandbox;

namespace ResMgrLite.CriTool.Demo;

/// <summary>
/// `./build.sh demo`: a private containerd with resmgrlite pre-launched, one pod per QoS class
/// created as the kubelet would, and a table of what the kernel's cgroup files then show.
/// Everything is torn down at the end, also on failure.
/// </summary>
internal static class DemoCommand
{
    public static async Task<int> RunAsync(string? binary, bool withPlugin, ContainerdRuntime runtime, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var environment = E2eEnvironment.Current;
        if (environment.NotRunnableReason is { } reason)
        {
            await stderr.WriteLineAsync($"demo: cannot run: {reason}");
            await stderr.WriteLineAsync($"demo: it starts a private {runtime} with runc, mounts overlays and writes cgroups, which only root may do.");
            return 2;
        }

        var pluginBinary = binary ?? environment.BinaryPath;
        if (withPlugin && !File.Exists(pluginBinary))
        {
            await stderr.WriteLineAsync($"demo: the plugin binary {pluginBinary} is missing: run ./build.sh first (or pass --binary PATH)");
            return 2;
        }

        var onlineCpus = HostFacts.OnlineCpuCount();
        var guaranteedCpus = DemoPods.GuaranteedCpuCount(onlineCpus);
        await stdout.WriteLineAsync($"demo: {onlineCpus} online CPUs; CPU {PluginConfig.ReservedCpus} stays reserved (cpuManager.reservedSystemCPUs), so the Guaranteed pod asks for min(2, {onlineCpus} - 1) = {guaranteedCpus} whole CPU(s).");
        var metricsPort = FreeLoopbackPort();
        var plugins = withPlugin
            ? new[] { new PreLaunchedPlugin(pluginBinary, "50-resmgrlite", PluginConfig.StaticCpuManagerLoggingToSandbox() + PluginConfig.MetricsOn($"127.0.0.1:{metricsPort}")) }
            : [];
        await stdout.WriteLineAsync(withPlugin
            ? $"demo: starting a private {runtime} (NRI v{runtime.NriVersion}) with resmgrlite pre-launched (50-resmgrlite, static CPU manager)"
            : $"demo: starting a private {runtime} (NRI v{runtime.NriVersion}) without plugin");
        await using var sandbox = await ContainerdSandbox.StartAsync(environment, new SandboxOptions("demo", EnableNri: true, plugins, runtime), cancellationToken);
        var running = new List<RunningPod>();
        try
        {
            foreach (var pod in DemoPods.Create(guaranteedCpus))
            {
                running.Add(await sandbox.Pods.RunAsync(pod, cancellationToken));
                await stdout.WriteLineAsync($"demo: pod {pod.Name} ({pod.QosClass}) running in {running[^1].CgroupParent}");
            }

            await stdout.WriteLineAsync();
            await stdout.WriteLineAsync($"What the kernel shows ({sandbox.Cgroups.Describe}, files under /sys/fs/cgroup/<controller>/<pod cgroup>/<container id>/):");
            await stdout.WriteLineAsync(BuildTable(sandbox, running).ToString());
            if (withPlugin)
            {
                var log = LogFile.Read(sandbox.PluginLogPath);
                await stdout.WriteLineAsync(log.Length == 0
                    ? $"demo: the plugin wrote no log at {sandbox.PluginLogPath}"
                    : $"Plugin log (last lines of {sandbox.PluginLogPath}):\n{LogFile.Tail(log.TrimEnd(), 15)}");
                await stdout.WriteLineAsync();
                await stdout.WriteLineAsync(await DemoMetrics.ScrapeAsync(metricsPort, cancellationToken));
            }

            foreach (var pod in running)
            {
                await sandbox.Pods.RemoveAsync(pod, cancellationToken);
            }

            await stdout.WriteLineAsync("demo: pods removed; stopping containerd and removing the sandbox");
            return 0;
        }
        catch (Exception exception) when (exception is Grpc.Core.RpcException or TimeoutException or IOException)
        {
            await stderr.WriteLineAsync($"demo: failed: {exception.Message}");
            await stderr.WriteLineAsync($"demo: containerd log tail:\n{LogFile.Tail(sandbox.ContainerdLog, 20)}");
            return 1;
        }
    }

    private static int FreeLoopbackPort()
    {
        using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        probe.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        return ((System.Net.IPEndPoint)probe.LocalEndPoint!).Port;
    }

    /// <summary>Byte counts from cgroup files in Mi when they are whole mebibytes; "max" and odd values as the kernel wrote them.</summary>
    private static string Bytes(string? text) =>
        long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var bytes) && bytes > 0 && bytes % (1024 * 1024) == 0
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / (1024 * 1024)}Mi")
            : text ?? "?";

    private static ResultTable BuildTable(ContainerdSandbox sandbox, IReadOnlyList<RunningPod> pods)
    {
        var table = new ResultTable("POD/CONTAINER", "QOS", "CPUSET", "MEMS", "MEMORY LIMIT", "MEMORY.MIN", "MEMORY.HIGH", sandbox.Cgroups.IsUnified ? "CPU.WEIGHT" : "CPU.SHARES", "CFS QUOTA");
        foreach (var pod in pods)
        {
            foreach (var container in pod.Containers)
            {
                var values = sandbox.Cgroups.ReadContainer(pod.CgroupParent, container.Id);
                table.Add(
                    $"{pod.Spec.Name}/{container.Spec.Name}",
                    pod.Spec.QosClass.ToString(),
                    values.Cpus ?? "?",
                    values.Mems ?? "?",
                    Bytes(values.MemoryLimit),
                    values.MemoryMin is null ? "n/a (v1)" : Bytes(values.MemoryMin),
                    values.MemoryHigh is null ? "n/a (v1)" : Bytes(values.MemoryHigh),
                    values.CpuWeight ?? "?",
                    values.CpuQuota ?? "?");
            }
        }

        return table;
    }
}
