using System.Security.Cryptography;
using Google.Protobuf;
using ResMgrLite.Nri;
using ResMgrLite.Nri.Api;
using ResMgrLite.Plugin;
using ResMgrLite.TestSupport.FakeNri;
using ResMgrLite.TestSupport.Fuzz;
using ResMgrLite.TestSupport.Sysfs;

namespace ResMgrLite.Tests.Plugin;

/// <summary>
/// The seeded protocol fuzz test on the real handler: the plugin runs in-process in external mode
/// behind the fake runtime's socket, with the static CPU manager, the Static memory manager and
/// memory QoS writing a fake cgroup v2 mount. Thousands of hostile CreateContainer requests
/// (<see cref="HostileRequests"/>), with removals in between, go through mux, ttrpc, protobuf,
/// the mapper and the engine. Every answer is an allocation or a deliberate refusal in words;
/// nothing outside the kubepods tree changes, and the plugin still serves a normal container at the end.
/// </summary>
public sealed class HandlerFuzzTests : IDisposable
{
    private const int Seed = 20261212;
    private const int Requests = 3000;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _directory = Directory.CreateTempSubdirectory("handler-fuzz-").FullName;
    private readonly SysfsTree _machine = new SysfsMachineBuilder()
        .Sockets(2).CoresPerSocket(4).ThreadsPerCore(2)
        .MemoryPerNode(16L * 1024 * 1024, 12L * 1024 * 1024)
        .HugePages(2048, 512, 512)
        .Cgroups(CgroupLayout.Unified, "cpuset", "cpu", "memory")
        .Build().WriteTree();

    public void Dispose()
    {
        _machine.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Hostile_create_container_requests_are_answered_in_words_and_write_nothing_outside_kubepods()
    {
        string mount = Path.Combine(_machine.SysfsRoot, "fs", "cgroup");
        Dictionary<string, byte[]> decoys = PlantDecoys(mount);
        foreach (string cgroup in (string[])["kubepods", "kubepods/burstable", "kubepods/besteffort"])
        {
            Knobs(Path.Combine(mount, cgroup));
        }
        string socket = Path.Combine(_directory, "nri.sock");
        string log = Path.Combine(_directory, "plugin.log");
        string config = Path.Combine(_directory, "fuzz.conf");
        await File.WriteAllTextAsync(config, $"""
            [state]
            directory = "{_directory}"
            [cpuManager]
            policy = "static"
            reservedSystemCPUs = "0"
            [memoryManager]
            policy = "Static"
            [[memoryManager.reservedMemory]]
            numaNode = 0
            limits = {"{"} memory = "100Mi" {"}"}
            [memoryQoS]
            enabled = true
            [cgroup]
            mountPath = "{mount}"
            """);
        using System.Net.Sockets.Socket listener = FakeNriRuntime.Listen(socket);
        using var stop = new CancellationTokenSource();
        // In-process external plugin on the synthetic machine's own /proc (cgroup v2 only), not the host's.
        using var pluginLog = new PluginLog(log, ProtocolLogLevel.Warning);
        var handler = new ResourcePolicyHandler(pluginLog, new HandlerOptions(_machine.SysfsRoot, config, config, new System.Collections.Hashtable(), _machine.ProcRoot));
        Task<int> plugin = NriPluginHost.RunAsync(new NriConnectionOptions { SocketPath = socket, PluginName = "fuzz", PluginIndex = "50" }, handler, pluginLog, stop.Token);
        var generator = new HostileRequests(Seed);
        int refused = 0, admitted = 0;
        await using (FakeNriRuntime runtime = await FakeNriRuntime.AcceptAsync(listener, CancellationToken.None).WaitAsync(Wait))
        {
            await runtime.HandshakeAsync(new SynchronizeRequest());
            var live = new List<CreateContainerRequest>();
            for (int i = 0; i < Requests; i++)
            {
                // Pod cgroups for some of the parents, so writes that are allowed really happen.
                CreateContainerRequest request = generator.Next();
                if (generator.Next(3) == 0 && Contained(request.Pod.Linux.CgroupParent) is { } inside)
                {
                    Knobs(Path.Combine(mount, inside));
                }
                if (generator.Next(3) == 0)
                {
                    // The kubelet's order: the sandbox first. A malformed annotation is refused there too.
                    var run = new StateChangeEvent { Event = Event.RunPodSandbox, Pod = request.Pod };
                    FakeNriResponse started = await runtime.CallRawAsync(FakeNriRuntime.PluginService, "StateChange", run.ToByteArray()).WaitAsync(Wait);
                    if (started.StatusCode != 0)
                    {
                        Assert.StartsWith("StateChange failed: FormatException: ", started.StatusMessage, StringComparison.Ordinal);
                        MessageText.AssertWords(started.StatusMessage);
                    }
                }
                FakeNriResponse answer = await runtime.CallRawAsync(FakeNriRuntime.PluginService, "CreateContainer", request.ToByteArray()).WaitAsync(Wait);
                if (answer.StatusCode == 0)
                {
                    admitted++;
                    live.Add(request);
                }
                else
                {
                    refused++;
                    // Only the handler's deliberate refusals: an overflow or any other exception type is a defect.
                    Assert.StartsWith("CreateContainer failed: InvalidOperationException: ", answer.StatusMessage, StringComparison.Ordinal);
                    MessageText.AssertWords(answer.StatusMessage);
                }
                if (live.Count > 0 && (live.Count > 6 || generator.Next(10) == 0))
                {
                    CreateContainerRequest gone = live[generator.Next(live.Count)];
                    live.Remove(gone);
                    var removal = new StateChangeEvent { Event = generator.Next(2) == 0 ? Event.RemoveContainer : Event.RemovePodSandbox, Pod = gone.Pod, Container = gone.Container };
                    await runtime.CallAsync("StateChange", removal, Empty.Parser).WaitAsync(Wait);
                }
            }

            CreateContainerResponse normal = await runtime.CallAsync("CreateContainer", PluginScenario.Burstable("after-fuzz", "ctr-after"), CreateContainerResponse.Parser).WaitAsync(Wait);
            Assert.NotEmpty(normal.Adjust.Linux.Resources.Cpu.Cpus);
        }
        Assert.False(plugin.IsCompleted, "the plugin stopped during the fuzz run");
        await stop.CancelAsync();
        Assert.Equal(0, await plugin.WaitAsync(Wait));

        string[] lines = await File.ReadAllLinesAsync(log);
        int contained = lines.Count(l => l.Contains("refused to write", StringComparison.Ordinal));
        Console.WriteLine($"handler fuzz, seed {Seed}: {admitted} admitted, {refused} refused, {contained} cgroup writes refused for leaving kubepods");
        Assert.True(contained > 0, "no hostile cgroup path reached the writer: the generator no longer exercises containment");
        Assert.Contains(lines, l => l.Contains("memory QoS pod default/fuzz: refused to write", StringComparison.Ordinal));
        Assert.InRange(admitted, Requests / 20, Requests);
        Assert.InRange(refused, Requests / 20, Requests);
        foreach ((string file, byte[] bytes) in decoys)
        {
            Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(File.ReadAllBytes(file)));
        }
        MessageText.AssertWords(await File.ReadAllTextAsync(log));
    }

    /// <summary>The kubepods-relative directory a parent names when it stays inside (what a kubelet would have created).</summary>
    private static string? Contained(string parent)
    {
        string[] segments = parent.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Length > 0 && segments[0] == "kubepods" && !segments.Any(s => s is ".." || s.Any(char.IsControl) || s.Length > 200)
            ? string.Join('/', segments)
            : null;
    }

    private static void Knobs(string directory)
    {
        Directory.CreateDirectory(directory);
        foreach ((string file, string value) in (ReadOnlySpan<(string, string)>)[("cpu.max", "max 100000\n"), ("memory.min", "0\n"), ("memory.low", "0\n"), ("memory.high", "max\n"), ("memory.max", "max\n")])
        {
            string path = Path.Combine(directory, file);
            if (!File.Exists(path))
            {
                File.WriteAllText(path, value);
            }
        }
    }

    /// <summary>Knob files beside the kubepods tree and outside the mount: what a traversal would hit.</summary>
    private static Dictionary<string, byte[]> PlantDecoys(string mount)
    {
        var decoys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (string place in (string[])["system.slice/x.service", "system.slice", "../outside", "..", "../../../etc", "kubepods.slice"])
        {
            string directory = Path.GetFullPath(Path.Combine(mount, place));
            Knobs(directory);
            foreach (string file in Directory.GetFiles(directory))
            {
                File.WriteAllText(file, "decoy " + file + "\n");
                decoys[file] = File.ReadAllBytes(file);
            }
        }
        return decoys;
    }
}
