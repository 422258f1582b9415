using System.Diagnostics;
using System.Runtime.InteropServices;
using ResMgrLite.Engine;
using ResMgrLite.Engine.State;
using ResMgrLite.Host.State;
using ResMgrLite.Nri.Api;
using ResMgrLite.Nri.Ttrpc;
using ResMgrLite.TestSupport;
using ResMgrLite.TestSupport.FakeNri;
using ResMgrLite.TestSupport.Sysfs;
using Xunit.Abstractions;

namespace ResMgrLite.Tests.Plugin;

/// <summary>
/// Crash consistency: the published binary in external mode against the fake runtime on a synthetic
/// 2 sockets × 8 cores × 2 threads machine. A seeded random event stream (Guaranteed and
/// Burstable containers, removals) runs while the plugin is SIGKILLed at random points, some in
/// the middle of a request; after every restart the runtime re-handshakes with Synchronize listing
/// the live containers, and the invariants are checked against what the plugin answered and what
/// its state file holds.
/// </summary>
internal sealed class CrashConsistencyRun : IDisposable
{
    private const int SignalKill = 9;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private readonly ITestOutputHelper _output;
    private readonly Random _random;
    private readonly string _directory = Directory.CreateTempSubdirectory("crash-").FullName;
    private readonly List<string> _violations = [];

    // The runtime's truth: live containers with the cpuset the plugin last gave them.
    private readonly Dictionary<string, LiveContainer> _live = new(StringComparer.Ordinal);
    private int _nextId;

    // Unsolicited UpdateContainers requests of the current runtime connection already applied.
    private int _updatesApplied;

    private sealed class LiveContainer(CreateContainerRequest request, bool exclusive)
    {
        public CreateContainerRequest Request { get; } = request;

        public bool Exclusive { get; } = exclusive;

        public string PodUid => Request.Pod.Uid;

        public CpuSet Cpus { get; set; }
    }

    public CrashConsistencyRun(ITestOutputHelper output, int seed)
    {
        _output = output;
        _random = new Random(seed);
    }

    public int Kills { get; private set; }

    public int Restarts { get; private set; }

    public int Admitted { get; private set; }

    public IReadOnlyList<string> Violations => _violations;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public async Task RunAsync(int kills)
    {
        string binary = RepoPaths.PublishedBinary;
        Assert.True(File.Exists(binary), $"published binary {binary} is missing: run ./build.sh first or set RESMGRLITE_BINARY");
        string socket = Path.Combine(_directory, "nri.sock");
        string stateDirectory = Path.Combine(_directory, "state");
        string config = Path.Combine(_directory, "90-resmgrlite.conf");
        await File.WriteAllTextAsync(config, $"""
            [state]
            directory = "{stateDirectory}"

            [cpuManager]
            policy = "static"
            reservedSystemCPUs = "0"

            [log]
            level = "info"
            """);
        using SysfsTree machine = new SysfsMachineBuilder().Sockets(2).CoresPerSocket(8).ThreadsPerCore(2).Build().WriteTree();
        using System.Net.Sockets.Socket listener = FakeNriRuntime.Listen(socket);
        var store = new CheckpointStore(stateDirectory);

        while (Kills < kills)
        {
            string logFile = Path.Combine(_directory, "plugin.log");
            File.Delete(logFile);
            var start = new ProcessStartInfo(binary)
            {
                ArgumentList = { "run", "--socket", socket, "--name", "crash", "--idx", "50", "--log-file", logFile, "--config", config, "--sysfs", machine.SysfsRoot },
                RedirectStandardOutput = false,
                RedirectStandardError = false,
            };
            using Process process = Process.Start(start)!;
            Restarts++;
            try
            {
                await using FakeNriRuntime runtime = await FakeNriRuntime.AcceptAsync(listener, CancellationToken.None).WaitAsync(Wait);
                _updatesApplied = 0;
                await runtime.Registered.WaitAsync(Wait);
                await runtime.ConfigureAsync();
                SynchronizeResponse synced = await runtime.CallAsync("Synchronize", SynchronizeRequest(), SynchronizeResponse.Parser, Wait);
                Apply("synchronize", synced.Update);
                CheckAfterRestart(store, logFile);

                int events = _random.Next(0, 7);
                for (int i = 0; i < events; i++)
                {
                    await NextEventAsync(runtime, midRequestKill: null);
                }

                // The kill: between events, or while a request is in flight.
                if (_random.Next(2) == 0)
                {
                    Kill(process);
                }
                else
                {
                    await NextEventAsync(runtime, midRequestKill: process);
                }
                await process.WaitForExitAsync().WaitAsync(Wait);
                Kills++;
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }
            }
        }
        _output.WriteLine($"kills: {Kills}, violations: {_violations.Count} (restarts {Restarts}, containers admitted {Admitted}, live at the end {_live.Count})");
        foreach (string violation in _violations.Take(20))
        {
            _output.WriteLine("violation: " + violation);
        }
    }

    private void Kill(Process process)
    {
        if (kill(process.Id, SignalKill) != 0 && !process.HasExited)
        {
            throw new InvalidOperationException($"kill({process.Id}) failed");
        }
    }

    private SynchronizeRequest SynchronizeRequest()
    {
        var request = new SynchronizeRequest();
        foreach (LiveContainer pod in _live.Values.DistinctBy(c => c.PodUid))
        {
            request.Pods.Add(pod.Request.Pod);
        }
        foreach (LiveContainer c in _live.Values)
        {
            Container container = c.Request.Container.Clone();
            container.State = ContainerState.ContainerRunning;
            container.Linux.Resources.Cpu.Cpus = c.Cpus.ToString();
            request.Containers.Add(container);
        }
        return request;
    }

    private async Task NextEventAsync(FakeNriRuntime runtime, Process? midRequestKill)
    {
        int choice = _random.Next(10);
        if (choice < 6 || _live.Count == 0)
        {
            await CreateAsync(runtime, midRequestKill);
        }
        else
        {
            await RemoveAsync(runtime, midRequestKill);
        }
    }

    private async Task CreateAsync(FakeNriRuntime runtime, Process? midRequestKill)
    {
        string id = $"ctr-{_nextId++}";
        CreateContainerRequest request;
        bool exclusive = _random.Next(3) != 0;
        // Sometimes a second container in a live pod (pod-level release rules), mostly new pods.
        LiveContainer? sibling = _live.Count > 0 && _random.Next(4) == 0 ? _live.Values.ElementAt(_random.Next(_live.Count)) : null;
        string podUid = sibling?.PodUid ?? $"pod-{_nextId}";
        exclusive = sibling?.Exclusive ?? exclusive;
        request = exclusive ? PluginScenario.Guaranteed(podUid, id, _random.Next(1, 4)) : PluginScenario.Burstable(podUid, id);
        request.Container.Name = "c-" + id;

        ApplyUnsolicited(runtime);
        Task<CreateContainerResponse> call = runtime.CallAsync("CreateContainer", request, CreateContainerResponse.Parser, Wait);
        if (midRequestKill is not null)
        {
            await KillSoonAsync(midRequestKill);
        }
        CreateContainerResponse response;
        try
        {
            response = await call;
        }
        catch (TtrpcStatusException)
        {
            return; // refused (no room): the runtime fails the container
        }
        catch (IOException) when (midRequestKill is not null)
        {
            return; // killed before answering: containerd fails the container
        }
        string cpus = response.Adjust?.Linux?.Resources?.Cpu?.Cpus ?? "";
        if (!CpuSet.TryParse(cpus, out CpuSet given) || given.IsEmpty)
        {
            _violations.Add($"{id}: handed cpuset \"{cpus}\"");
            return;
        }
        Admitted++;
        _live[id] = new LiveContainer(request, exclusive) { Cpus = given };
        Apply("create " + id, response.Update);
        CheckExclusivity("after create " + id);
    }

    private async Task RemoveAsync(FakeNriRuntime runtime, Process? midRequestKill)
    {
        LiveContainer victim = _live.Values.ElementAt(_random.Next(_live.Count));
        // The runtime removes the container whatever the plugin does.
        _live.Remove(victim.Request.Container.Id);
        var removeContainer = new StateChangeEvent { Event = Event.RemoveContainer, Pod = victim.Request.Pod, Container = victim.Request.Container };
        Task<Empty> call = runtime.CallAsync("StateChange", removeContainer, Empty.Parser, Wait);
        if (midRequestKill is not null)
        {
            await KillSoonAsync(midRequestKill);
        }
        try
        {
            await call;
            if (!_live.Values.Any(c => c.PodUid == victim.PodUid))
            {
                await runtime.CallAsync("StateChange", new StateChangeEvent { Event = Event.RemovePodSandbox, Pod = victim.Request.Pod }, Empty.Parser, Wait);
            }
        }
        catch (IOException) when (midRequestKill is not null)
        {
        }
        catch (TimeoutException) when (midRequestKill is not null)
        {
        }
        ApplyUnsolicited(runtime);
    }

    /// <summary>Unsolicited updates (cpusets pushed by a reconcile pass: widened pools, corrections) that arrived so far, in order, once each.</summary>
    private void ApplyUnsolicited(FakeNriRuntime runtime)
    {
        IReadOnlyList<UpdateContainersRequest> received = runtime.UpdateRequests;
        for (; _updatesApplied < received.Count; _updatesApplied++)
        {
            Apply("unsolicited update", received[_updatesApplied].Update);
        }
    }

    private async Task KillSoonAsync(Process process)
    {
        // 0 to ~2 ms: before, during or after the plugin handles the request.
        int spins = _random.Next(0, 4);
        for (int i = 0; i < spins; i++)
        {
            await Task.Yield();
            Thread.SpinWait(_random.Next(1, 20_000));
        }
        Kill(process);
    }

    private void Apply(string when, IEnumerable<ContainerUpdate> updates)
    {
        foreach (ContainerUpdate update in updates)
        {
            string cpus = update.Linux?.Resources?.Cpu?.Cpus ?? "";
            if (!CpuSet.TryParse(cpus, out CpuSet set) || set.IsEmpty)
            {
                _violations.Add($"{when}: update for {update.ContainerId} with cpuset \"{cpus}\"");
                continue;
            }
            if (_live.TryGetValue(update.ContainerId, out LiveContainer? c))
            {
                c.Cpus = set;
            }
        }
    }

    /// <summary>No CPU in two pods' exclusive sets; no shared container on an exclusive CPU.</summary>
    private void CheckExclusivity(string when)
    {
        var exclusiveByPod = new Dictionary<string, CpuSet>(StringComparer.Ordinal);
        foreach (LiveContainer c in _live.Values.Where(c => c.Exclusive))
        {
            exclusiveByPod[c.PodUid] = exclusiveByPod.GetValueOrDefault(c.PodUid).Union(c.Cpus);
        }
        CpuSet taken = default;
        foreach ((string pod, CpuSet cpus) in exclusiveByPod)
        {
            if (cpus.Overlaps(taken))
            {
                _violations.Add($"{when}: exclusive CPUs {cpus.Intersect(taken)} of pod {pod} are also another pod's");
            }
            taken = taken.Union(cpus);
        }
        foreach (LiveContainer c in _live.Values.Where(c => !c.Exclusive))
        {
            if (c.Cpus.Overlaps(taken))
            {
                _violations.Add($"{when}: shared container {c.Request.Container.Id} runs on exclusive CPUs {c.Cpus.Intersect(taken)}");
            }
        }
    }

    private void CheckAfterRestart(CheckpointStore store, string logFile)
    {
        CheckpointLoadResult loaded = store.Load();
        if (loaded.Status != CheckpointStatus.Loaded)
        {
            _violations.Add($"restart {Restarts}: state file did not load: {loaded.Status} {loaded.Error}");
            return;
        }
        EngineSnapshot snapshot = loaded.Snapshot!;
        var known = snapshot.Containers.ToDictionary(c => c.ContainerId, StringComparer.Ordinal);
        foreach (LiveContainer c in _live.Values)
        {
            if (!known.TryGetValue(c.Request.Container.Id, out ContainerCpuSnapshot? entry))
            {
                _violations.Add($"restart {Restarts}: live container {c.Request.Container.Id} has no entry in the state file");
            }
            else if (c.Exclusive && entry.Cpus != c.Cpus)
            {
                _violations.Add($"restart {Restarts}: exclusive container {c.Request.Container.Id} runs on {c.Cpus}, the state file says {entry.Cpus}");
            }
        }
        if (known.Count != _live.Count)
        {
            _violations.Add($"restart {Restarts}: the state file holds {known.Count} containers, the runtime has {_live.Count}");
        }
        CheckExclusivity($"restart {Restarts}");
        string log = File.Exists(logFile) ? File.ReadAllText(logFile) : "";
        if (log.Contains("Resource management is OFF", StringComparison.Ordinal))
        {
            _violations.Add($"restart {Restarts}: the plugin rejected its own state: {log}");
        }
    }

    [DllImport("libc", SetLastError = true)]
#pragma warning disable SYSLIB1054 // test-only signal helper
    private static extern int kill(int pid, int signal);
#pragma warning restore SYSLIB1054
}
