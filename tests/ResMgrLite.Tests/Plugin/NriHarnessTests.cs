using System.Diagnostics;
using System.Text.Json;
using ResMgrLite.TestSupport;

namespace ResMgrLite.Tests.Plugin;

/// <summary>
/// The published binary under the real NRI runtime libraries (../shared/tools/nri-harness): v0.12.2
/// as containerd 2.3 links it and v0.6.1 as containerd 1.7.24 does, pre-launched and external. Each
/// run fails when the library drops the plugin (bad event mask, framing, timeouts) or an event errs.
/// </summary>
public sealed class NriHarnessTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);
    private readonly string _directory = Directory.CreateTempSubdirectory("nri-harness-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string LogFile => Path.Combine(_directory, "plugin.log");

    private string Config()
    {
        string path = Path.Combine(_directory, "90-resmgrlite.conf");
        File.WriteAllText(path, $"[state]\ndirectory = \"{Path.Combine(_directory, "state")}\"\n[log]\ntarget = \"{LogFile}\"\n");
        return path;
    }

    private async Task<JsonElement> RunAsync(string version, params string[] arguments)
    {
        string binary = RepoPaths.PublishedBinary;
        Assert.True(File.Exists(binary), $"published binary {binary} is missing: run ./build.sh first or set RESMGRLITE_BINARY");
        string summary = Path.Combine(_directory, "summary.json");
        var start = new ProcessStartInfo(NriHarnessFactAttribute.Harness(version))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument.Replace("{binary}", binary, StringComparison.Ordinal).Replace("{config}", Config(), StringComparison.Ordinal).Replace("{log}", LogFile, StringComparison.Ordinal));
        }

        start.ArgumentList.Add("-summary-out");
        start.ArgumentList.Add(summary);
        start.ArgumentList.Add("-adjust-out");
        start.ArgumentList.Add(Path.Combine(_directory, "adjustments.jsonl"));
        using Process harness = Process.Start(start)!;
        Task<string> output = harness.StandardOutput.ReadToEndAsync();
        Task<string> errors = harness.StandardError.ReadToEndAsync();
        await harness.WaitForExitAsync().WaitAsync(Wait);
        string report = await output + await errors;
        Assert.True(harness.ExitCode == 0, $"the NRI {version} runtime library failed the plugin:\n{report}\nplugin log:\n{(File.Exists(LogFile) ? await File.ReadAllTextAsync(LogFile) : "(none)")}");
        Assert.Contains("result: OK", report, StringComparison.Ordinal);
        using JsonDocument document = JsonDocument.Parse(await File.ReadAllTextAsync(summary));
        return document.RootElement.Clone();
    }

    [NriHarnessFact]
    public async Task V012PreLaunchedRegistersWithItsVersionAndGetsPodResizeEventsAsDedicatedCalls()
    {
        JsonElement summary = await RunAsync("v012", "-plugin", "{binary}", "-name", "resmgrlite", "-idx", "90", "-plugin-config", "{config}", "-n", "20", "-resize", "5");

        // The runtime logged our NRI version; we subscribed to both pod update events; every
        // event went through its dedicated call, none fell back or failed.
        Assert.Equal("v0.12.2", summary.GetProperty("nri_version_plugin").GetString());
        Assert.Equal(0x1800, summary.GetProperty("event_mask").GetInt32() & 0x1800);
        Assert.Equal("dedicated RPCs only", summary.GetProperty("delivery_verdict").GetString());
        Assert.Equal(5, summary.GetProperty("resize").GetInt32());
        foreach (JsonProperty delivery in summary.GetProperty("delivery").EnumerateObject())
        {
            Assert.Equal(0, delivery.Value.GetProperty("errors").GetInt32());
        }

        string log = await File.ReadAllTextAsync(LogFile);
        Assert.Contains("runtime containerd v2.3.0, NRI v0.12.2: pod resize events available (UpdatePodSandbox, PostUpdatePodSandbox)", log, StringComparison.Ordinal);
    }

    [NriHarnessFact]
    public async Task V012ExternalTakesASplitSynchronize()
    {
        // 70 padded pods make a Synchronize over 4 MiB: the library sends it again in chunks.
        JsonElement summary = await RunAsync("v012", "-mode", "external", "-exec", "{binary} run --socket {socket} --name resmgrlite --idx 90 --config {config} --log-file {log}", "-big", "-sync", "70", "-n", "10");

        JsonElement[] chunks = [.. summary.GetProperty("sync_messages").EnumerateArray().Where(c => !c.TryGetProperty("error", out _))];
        Assert.True(chunks.Length >= 2, $"expected a split Synchronize, got {chunks.Length} message(s)");
        Assert.All(chunks[..^1], c => Assert.True(c.GetProperty("more").GetBoolean() && c.GetProperty("rsp_more").GetBoolean()));
        Assert.False(chunks[^1].GetProperty("rsp_more").GetBoolean());
        Assert.Equal(70, chunks.Sum(c => c.GetProperty("pods").GetInt32()));
        Assert.Contains("synchronize: 70 pods, 140 containers", await File.ReadAllTextAsync(LogFile), StringComparison.Ordinal);
    }

    [NriHarnessFact]
    public async Task V061PreLaunchedSubscribesOnlyToEventsTheOldRuntimeKnows()
    {
        await RunAsync("v061", "-plugin", "{binary}", "-name", "resmgrlite", "-idx", "90", "-plugin-config", "{config}", "-n", "20");

        // v0.6.1 closes a plugin whose mask has a bit it does not know (0x800 and up), so this run
        // passing is the check; the log says what was detected and left out.
        string log = await File.ReadAllTextAsync(LogFile);
        Assert.Contains("runtime containerd 1.7.24~ds1, NRI v0.6 (inferred from the runtime version): pod resize events not available", log, StringComparison.Ordinal);
        Assert.Contains("not subscribing to events this runtime does not know: UpdatePodSandbox, PostUpdatePodSandbox", log, StringComparison.Ordinal);
    }

    [NriHarnessFact]
    public async Task V061ExternalTakesItsOneMessageSynchronize()
    {
        await RunAsync("v061", "-mode", "external", "-exec", "{binary} run --socket {socket} --name resmgrlite --idx 90 --config {config} --log-file {log}", "-sync", "100", "-n", "20");

        Assert.Contains("synchronize: 100 pods, 200 containers", await File.ReadAllTextAsync(LogFile), StringComparison.Ordinal);
    }
}
