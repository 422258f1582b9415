using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ResMgrLite.Nri.Api;
using ResMgrLite.Tests.Plugin;

namespace ResMgrLite.Tests.Observability;

/// <summary>
/// Logs, metrics, textfile and NodeResourceTopology file of the published static binary, started as
/// containerd starts a pre-launched plugin and driven by the fake runtime.
/// </summary>
public sealed class PublishedBinaryObservabilityTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly string _directory = Directory.CreateTempSubdirectory("observe-bin-").FullName;

    public PublishedBinaryObservabilityTests()
    {
        Assert.True(OnlineCpus >= 2, "these tests pin one CPU next to the reserved CPU 0: they need a machine with at least 2 CPUs");
    }

    /// <summary>A pre-launched plugin has no --sysfs: it manages this machine's CPUs.</summary>
    private static int OnlineCpus => Engine.CpuSet.Parse(File.ReadAllText("/sys/devices/system/cpu/online").Trim()).Count;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private string Config(string log, string metrics) =>
        $"[state]\ndirectory = \"{_directory}/state\"\n\n" + PluginScenario.StaticCpuConfig.Replace("[log]\nlevel = \"debug\"", "", StringComparison.Ordinal) + "\n" + log + "\n" + metrics;

    private static async Task<string> ScrapeAsync(int port, string accept = "text/plain")
    {
        using var client = new HttpClient { Timeout = Wait };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/metrics");
        request.Headers.TryAddWithoutValidation("Accept", accept);
        using HttpResponseMessage response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task Stderr_json_log_metrics_endpoint_textfile_and_nrt_file_as_containerd_starts_the_plugin()
    {
        int port = FreePort();
        string textfile = Path.Combine(_directory, "resmgrlite.prom");
        string nrtFile = Path.Combine(_directory, "nrt.json");
        await using PreLaunchedBinary plugin = PreLaunchedBinary.Start();
        await plugin.Runtime.Registered.WaitAsync(Wait);
        await plugin.Runtime.ConfigureAsync(config: Config(
            "[log]\ntarget = \"stderr\"\nformat = \"json\"\nlevel = \"debug\"\n",
            $"[metrics]\nlistenAddress = \"127.0.0.1:{port}\"\ntextfile = \"{textfile}\"\n[nrt]\nfile = \"{nrtFile}\"\nnodeName = \"worker-7\"\n"));
        // A pre-launched plugin reads the real /sys: one exclusive CPU fits any test machine (CPU 0 is reserved).
        CreateContainerResponse exclusive = await plugin.Runtime.CallAsync("CreateContainer", PluginScenario.Guaranteed("g1", "ctr-g1", 1), CreateContainerResponse.Parser);
        await plugin.Runtime.CallAsync("CreateContainer", PluginScenario.Burstable("b1", "ctr-b1"), CreateContainerResponse.Parser);
        string pinned = exclusive.Adjust.Linux.Resources.Cpu.Cpus;
        Assert.Equal(1, Engine.CpuSet.Parse(pinned).Count);

        var prometheus = StrictExpositionParser.Parse(await ScrapeAsync(port), openMetrics: false);
        var openMetrics = StrictExpositionParser.Parse(await ScrapeAsync(port, "application/openmetrics-text;version=1.0.0"), openMetrics: true);
        Assert.Equal(2, prometheus["resmgrlite_nri_request_duration_seconds_count{event=\"CreateContainer\"}"]);
        Assert.Equal(1, prometheus["resmgrlite_nri_request_duration_seconds_count{event=\"Configure\"}"]);
        Assert.Equal(1, prometheus["resmgrlite_resource_management_active{}"]);
        // Written for the exclusive CPU before its answer; the shared container's entry waits for the
        // next write, at the reconcile period (docs/state.md), which may have come by now.
        Assert.InRange(prometheus["resmgrlite_state_saves_total{result=\"ok\"}"], 1, 2);
        // One CPU exclusive; the shared pool is, as the kubelet counts it, all others but the reserved CPU 0.
        Assert.Equal((OnlineCpus - 2) * 1000, prometheus["kubelet_cpu_manager_shared_pool_size_millicores{}"]);
        Assert.Equal(2, prometheus["kubelet_topology_manager_admission_requests_total{}"]);
        Assert.Equal(1, prometheus["kubelet_cpu_manager_pinning_requests_total{}"]);
        Assert.Equal(1, prometheus["resource_manager_allocations_total{resource_name=\"cpu\",source=\"node\"}"]);
        Assert.Equal(1, prometheus["resource_manager_container_assignments{assignment_type=\"node_exclusive\",resource_name=\"cpu\"}"]);
        Assert.Equal(1, prometheus["kubelet_cpu_manager_exclusive_cpu_allocation_count{}"]);
        Assert.Equal(1, prometheus["resmgrlite_build_info{nri_level=\"v0.6\",runtime=\"containerd 1.7.24~ds1\",version=\"0.1.0\"}"]);
        Assert.True(prometheus["process_resident_memory_bytes{}"] > 1 << 20);
        Assert.InRange(openMetrics["resmgrlite_state_saves_total{result=\"ok\"}"], 1, 2);

        // The textfile: the same metrics for node_exporter, without process_* (node_exporter has its own).
        string text = await WaitForAsync(textfile, t => t.Contains("kubelet_cpu_manager_pinning_requests_total 1", StringComparison.Ordinal));
        var fromFile = StrictExpositionParser.Parse(text, openMetrics: false);
        Assert.DoesNotContain(fromFile.Families.Keys, name => name.StartsWith("process_", StringComparison.Ordinal));
        Assert.Equal(1, fromFile["kubelet_cpu_manager_exclusive_cpu_allocation_count{}"]);

        string nrt = await WaitForAsync(nrtFile, t => t.Contains("\"worker-7\"", StringComparison.Ordinal));
        using (JsonDocument document = JsonDocument.Parse(nrt))
        {
            // Available CPUs over all zones: all but the reserved and the exclusive one.
            long available = document.RootElement.GetProperty("zones").EnumerateArray()
                .Sum(z => z.GetProperty("resources").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "cpu").GetProperty("available").GetInt64());
            Assert.Equal(OnlineCpus - 2, available);
        }

        (int exitCode, string stderr) = await plugin.StopAsync();
        Assert.Equal(0, exitCode);
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        foreach (string line in lines)
        {
            using JsonDocument entry = JsonDocument.Parse(line);
            Assert.Equal(["time", "level", "event", "pod", "container", "message"], entry.RootElement.EnumerateObject().Select(p => p.Name));
        }
        string messages = string.Join('\n', lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("message").GetString()));
        // The early lines, held until Configure named the target, are there; the start-up is said once; no hex masks.
        Assert.Contains("registered as 90-resmgrlite", messages, StringComparison.Ordinal);
        Assert.Single(lines, l => l.Contains("runtime containerd 1.7.24", StringComparison.Ordinal));
        Assert.Contains($"metrics: serving GET /metrics and /healthz on http://127.0.0.1:{port}", messages, StringComparison.Ordinal);
        Assert.Matches("not subscribing to events this runtime does not know: .*UpdatePodSandbox", messages);
        Assert.DoesNotMatch("0x[0-9a-f]+", messages);
        Assert.Contains($"cpus {pinned} (Container)", messages, StringComparison.Ordinal);
        // Entries written while serving a request carry its event, pod and container.
        using JsonDocument decision = JsonDocument.Parse(lines.Single(l => l.Contains($"cpus {pinned} (Container)", StringComparison.Ordinal)));
        Assert.Equal("CreateContainer", decision.RootElement.GetProperty("event").GetString());
        Assert.Equal("default/pod-g1", decision.RootElement.GetProperty("pod").GetString());
        Assert.Equal("app", decision.RootElement.GetProperty("container").GetString());
        Assert.Equal("info", decision.RootElement.GetProperty("level").GetString());
    }

    [Fact]
    public async Task A_port_in_use_is_logged_and_the_plugin_keeps_serving_nri()
    {
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        squatter.Listen(1);
        int port = ((IPEndPoint)squatter.LocalEndPoint!).Port;
        string log = Path.Combine(_directory, "plugin.log");

        await using PreLaunchedBinary plugin = PreLaunchedBinary.Start();
        await plugin.Runtime.Registered.WaitAsync(Wait);
        await plugin.Runtime.ConfigureAsync(config: Config($"[log]\nfile = \"{log}\"\n", $"[metrics]\nlistenAddress = \"127.0.0.1:{port}\"\n"));
        CreateContainerResponse created = await plugin.Runtime.CallAsync("CreateContainer", PluginScenario.Guaranteed("g2", "ctr-g2", 1), CreateContainerResponse.Parser);
        (int exitCode, _) = await plugin.StopAsync();

        string pinned = created.Adjust.Linux.Resources.Cpu.Cpus;
        Assert.Equal(1, Engine.CpuSet.Parse(pinned).Count);
        Assert.Equal(0, exitCode);
        string text = await File.ReadAllTextAsync(log);
        Assert.Contains($"ERROR metrics: cannot listen on 127.0.0.1:{port}: the address is already in use (another process, or a second resmgrlite); choose another metrics.listenAddress; the metrics endpoint is off, the plugin goes on serving NRI", text, StringComparison.Ordinal);
        Assert.Contains($"cpus {pinned} (Container)", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_file_target_rotates_and_never_writes_the_default_file()
    {
        string log = Path.Combine(_directory, "small.log");
        await using PreLaunchedBinary plugin = PreLaunchedBinary.Start();
        await plugin.Runtime.Registered.WaitAsync(Wait);
        await plugin.Runtime.ConfigureAsync(config: Config($"[log]\ntarget = \"file\"\nfile = \"{log}\"\nmaxSize = \"64Ki\"\nlevel = \"debug\"\n", ""));
        for (int i = 0; i < 700; i++)
        {
            await plugin.Runtime.CallAsync("CreateContainer", PluginScenario.Burstable("b" + i, "ctr-b" + i), CreateContainerResponse.Parser);
        }
        (int exitCode, string stderr) = await plugin.StopAsync();

        Assert.Equal(0, exitCode);
        Assert.Equal("", stderr);
        Assert.True(File.Exists(log + ".1"), "the log was never rotated");
        Assert.True(new FileInfo(log).Length <= 64 * 1024 && new FileInfo(log + ".1").Length <= 64 * 1024);
        Assert.Contains("exiting with 0", await File.ReadAllTextAsync(log), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_journal_target_without_a_journal_says_so_once_and_uses_stderr()
    {
        if (File.Exists("/run/systemd/journal/socket") || Directory.Exists("/run/systemd/journal/socket"))
        {
            // With a real journal the entries go there (the protocol is covered in-process by PluginLogTargetTests).
            return;
        }
        await using PreLaunchedBinary plugin = PreLaunchedBinary.Start();
        await plugin.Runtime.Registered.WaitAsync(Wait);
        // Debug: a shared container's admission line is a debug line.
        await plugin.Runtime.ConfigureAsync(config: Config("[log]\ntarget = \"journal\"\nlevel = \"debug\"\n", ""));
        await plugin.Runtime.CallAsync("CreateContainer", PluginScenario.Burstable("b1", "ctr-b1"), CreateContainerResponse.Parser);
        (int exitCode, string stderr) = await plugin.StopAsync();

        Assert.Equal(0, exitCode);
        Assert.Single(stderr.Split('\n'), l => l.Contains("the systemd journal socket /run/systemd/journal/socket is not there", StringComparison.Ordinal) && l.EndsWith("; logging to stderr instead", StringComparison.Ordinal));
        Assert.Contains("registered as 90-resmgrlite", stderr, StringComparison.Ordinal);
        Assert.Contains("create container default/pod-b1/app", stderr, StringComparison.Ordinal);
    }

    private static async Task<string> WaitForAsync(string path, Func<string, bool> ready)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        string last = "(no file)";
        while (waited.Elapsed < TimeSpan.FromSeconds(40))
        {
            if (File.Exists(path))
            {
                last = await File.ReadAllTextAsync(path);
                if (ready(last))
                {
                    return last;
                }
            }
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"{path} never became ready in {waited.Elapsed}; last content:\n{last}");
    }
}
