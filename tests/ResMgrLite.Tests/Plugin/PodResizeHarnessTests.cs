using System.Diagnostics;
using System.Text.Json;
using ResMgrLite.TestSupport;
using ResMgrLite.TestSupport.Sysfs;

namespace ResMgrLite.Tests.Plugin;

/// <summary>
/// The resize path of the published binary under the real NRI v0.12.2 runtime library
/// (<c>../shared/tools/nri-harness</c>, <c>-resize N</c>: UpdatePodSandbox and PostUpdatePodSandbox
/// with doubled shares, quota and memory limit for the first N pods), with the static CPU and
/// Memory managers on a synthetic 2 × 8-core machine. Skipped, saying so, where ../shared is absent.
/// </summary>
public sealed class PodResizeHarnessTests : IDisposable
{
    private const long GiKiB = 1024 * 1024;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(180);
    private readonly string _directory = Directory.CreateTempSubdirectory("nri-resize-").FullName;
    private readonly SysfsTree _machine = new SysfsMachineBuilder()
        .Sockets(2).CoresPerSocket(8).ThreadsPerCore(2)
        .MemoryPerNode(32 * GiKiB, 30 * GiKiB)
        .Build().WriteTree();

    public void Dispose()
    {
        _machine.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [NriHarnessFact]
    public async Task Every_resized_pod_gets_one_decision_a_post_update_reconcile_and_a_state_record()
    {
        const int Resized = 8;
        string binary = RepoPaths.PublishedBinary;
        Assert.True(File.Exists(binary), $"published binary {binary} is missing: run ./build.sh first or set RESMGRLITE_BINARY");
        string state = Path.Combine(_directory, "state");
        string log = Path.Combine(_directory, "plugin.log");
        string config = Path.Combine(_directory, "resmgrlite.conf");
        await File.WriteAllTextAsync(config, $"""
            [state]
            directory = "{state}"
            [log]
            target = "{log}"
            [cpuManager]
            policy = "static"
            reservedSystemCPUs = "0"
            [memoryManager]
            policy = "Static"
            [[memoryManager.reservedMemory]]
            numaNode = 0
            limits = {"{"} memory = "100Mi" {"}"}
            """);
        string summary = Path.Combine(_directory, "summary.json");
        var start = new ProcessStartInfo(NriHarnessFactAttribute.Harness("v012"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
        };
        foreach (string argument in (string[])["-mode", "external",
            "-exec", $"{binary} run --socket {{socket}} --name resmgrlite --idx 90 --config {config} --sysfs {_machine.SysfsRoot}",
            "-exec-log", Path.Combine(_directory, "stderr.log"),
            "-n", "20", "-c", "2", "-resize", Resized.ToString(System.Globalization.CultureInfo.InvariantCulture), "-summary-out", summary])
        {
            start.ArgumentList.Add(argument);
        }
        using Process harness = Process.Start(start)!;
        Task<string> output = harness.StandardOutput.ReadToEndAsync();
        Task<string> errors = harness.StandardError.ReadToEndAsync();
        await harness.WaitForExitAsync().WaitAsync(Wait);
        string report = await output + await errors;
        string pluginLog = File.Exists(log) ? await File.ReadAllTextAsync(log) : "(no plugin log)";
        Assert.True(harness.ExitCode == 0, $"the NRI v0.12.2 runtime library failed the plugin:\n{report}\nplugin log:\n{pluginLog}");
        Assert.Contains("result: OK", report, StringComparison.Ordinal);

        using (JsonDocument document = JsonDocument.Parse(await File.ReadAllTextAsync(summary)))
        {
            Assert.Equal(Resized, document.RootElement.GetProperty("resize").GetInt32());
        }
        // One decision line per resized pod: every budget doubled, applied (the kubelet-shaped workload fits).
        string[] lines = pluginLog.Split('\n');
        string[] decisions = [.. lines.Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, " resize: (unchanged|applied|deferred|infeasible), "))];
        Assert.True(decisions.Length == Resized, $"expected {Resized} resize decisions, got:\n{string.Join('\n', decisions)}\nplugin log:\n{pluginLog}");
        Assert.All(decisions, l => Assert.Contains(" resize: applied, ", l, StringComparison.Ordinal));
        Assert.Equal(Resized, lines.Count(l => l.Contains("post-update: last resize applied", StringComparison.Ordinal)));
        Assert.DoesNotContain(lines, l => l.Contains("in-place resize refused", StringComparison.Ordinal));
    }
}
