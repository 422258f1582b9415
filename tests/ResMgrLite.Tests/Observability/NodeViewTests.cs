using System.Text.Json;
using ResMgrLite.Commands;
using ResMgrLite.Nri;
using ResMgrLite.Nri.Api;
using ResMgrLite.Observability;
using ResMgrLite.Observability.Inspection;
using ResMgrLite.Observability.Metrics;
using ResMgrLite.Observability.Nrt;
using ResMgrLite.Plugin;
using ResMgrLite.Tests.Plugin;
using ResMgrLite.TestSupport;
using ResMgrLite.TestSupport.Sysfs;

namespace ResMgrLite.Tests.Observability;

/// <summary>
/// The NodeResourceTopology document and <c>resmgrlite state</c> after known admissions on a
/// synthetic two-NUMA machine (2 × 4 cores × 2 threads, siblings i and i+8, 16 GiB and 512 × 2 MiB
/// hugepages per node; CPU 0 and 100Mi of node 0 reserved).
/// </summary>
public sealed class NodeViewTests : IDisposable
{
    private const long GiKiB = 1024 * 1024;
    /// <summary>single-numa-node, pod scope, static CPU (CPU 0 reserved) and Memory Manager (100Mi of node 0 reserved).</summary>
    internal const string Config = """
        [topologyManager]
        policy = "single-numa-node"
        scope = "pod"
        [cpuManager]
        policy = "static"
        reservedSystemCPUs = "0"
        [memoryManager]
        policy = "Static"
        [[memoryManager.reservedMemory]]
        numaNode = 0
        limits = { memory = "100Mi" }
        [nodeAllocatable]
        systemReserved = { memory = "100Mi" }
        evictionHard = { "memory.available" = "0" }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("node-view-").FullName;
    private readonly SysfsTree _machine = new SysfsMachineBuilder()
        .Sockets(2).CoresPerSocket(4).ThreadsPerCore(2)
        .MemoryPerNode(16 * GiKiB, 12 * GiKiB)
        .HugePages(2048, 512, 512)
        .Build().WriteTree();

    public void Dispose()
    {
        _machine.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private string StateDirectory => Path.Combine(_directory, "state");

    private string ConfigFile => Path.Combine(_directory, "90-resmgrlite.conf");

    private async Task<ResourcePolicyHandler> AdmitTwoGuaranteedPodsAsync()
    {
        await File.WriteAllTextAsync(ConfigFile, $"[state]\ndirectory = \"{StateDirectory}\"\n" + Config);
        var handler = new ResourcePolicyHandler(new PluginLog(Path.Combine(_directory, "plugin.log"), ProtocolLogLevel.Debug),
            new HandlerOptions(_machine.SysfsRoot, "test.conf", ConfigFile, new System.Collections.Hashtable(), _machine.ProcRoot));
        var info = new NriRuntimeInfo("containerd", "1.7.24", "", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), NriApiLevel.V0_6);
        await handler.ConfigureAsync(new NriConfigureContext("", info, new NoRuntime()), CancellationToken.None);
        Assert.NotNull(handler.Engine);
        CreateContainerRequest small = PluginScenario.Guaranteed("pod-a", "ctr-a", 2);
        CreateContainerRequest large = PluginScenario.Guaranteed("pod-b", "ctr-b", 6);
        await handler.CreateContainerAsync(small.Pod, small.Container, CancellationToken.None);
        await handler.CreateContainerAsync(large.Pod, large.Container, CancellationToken.None);
        return handler;
    }

    private sealed class NoRuntime : INriRuntime
    {
        public Task<UpdateContainersResult> UpdateContainersAsync(IReadOnlyList<ContainerUpdate> updates) => Task.FromResult(UpdateContainersResult.AllApplied);
    }

    private static JsonElement Resource(JsonElement document, string zone, string name) =>
        document.GetProperty("zones").EnumerateArray().Single(z => z.GetProperty("name").GetString() == zone)
            .GetProperty("resources").EnumerateArray().Single(r => r.GetProperty("name").GetString() == name);

    private static (long Capacity, long Allocatable, long Available) Amounts(JsonElement resource) =>
        (resource.GetProperty("capacity").GetInt64(), resource.GetProperty("allocatable").GetInt64(), resource.GetProperty("available").GetInt64());

    [Fact]
    public async Task The_document_fits_the_published_crd_schema_and_counts_what_is_held()
    {
        ResourcePolicyHandler handler = await AdmitTwoGuaranteedPodsAsync();
        var memory = MachineModel.MemoryNodes(Host.Sysfs.SysfsTopologyDiscovery.Discover(_machine.SysfsRoot));
        byte[] bytes = NrtDocument.Build("worker-1", handler.Engine!, memory, []);

        using JsonDocument schema = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "tests", "ResMgrLite.Tests", "Observability", "nrt-crd-v1alpha2.schema.json")));
        using JsonDocument document = JsonDocument.Parse(bytes);
        JsonElement root = document.RootElement;
        Assert.Empty(CrdSchemaSubset.Validate(schema.RootElement, root));

        Assert.Equal("topology.node.k8s.io/v1alpha2", root.GetProperty("apiVersion").GetString());
        Assert.Equal("NodeResourceTopology", root.GetProperty("kind").GetString());
        Assert.Equal("worker-1", root.GetProperty("metadata").GetProperty("name").GetString());
        var attributes = root.GetProperty("attributes").EnumerateArray().ToDictionary(a => a.GetProperty("name").GetString()!, a => a.GetProperty("value").GetString());
        Assert.Equal("single-numa-node", attributes["topologyManagerPolicy"]);
        Assert.Equal("pod", attributes["topologyManagerScope"]);
        Assert.Equal("8", attributes["topologyManagerMaxNUMANodes"]);
        Assert.Equal(["node-0", "node-1"], root.GetProperty("zones").EnumerateArray().Select(z => z.GetProperty("name").GetString()));
        Assert.All(root.GetProperty("zones").EnumerateArray(), z => Assert.Equal("Node", z.GetProperty("type").GetString()));

        // node 0: 8 CPUs, CPU 0 reserved, 2 held by pod-a; node 1: 6 of 8 held by pod-b.
        Assert.Equal((8, 7, 5), Amounts(Resource(root, "node-0", "cpu")));
        Assert.Equal((8, 8, 2), Amounts(Resource(root, "node-1", "cpu")));
        (long capacity, long allocatable, long available) = Amounts(Resource(root, "node-0", "memory"));
        Assert.Equal(16L << 30, capacity);
        // The Memory Manager's machine state: the 1 GiB of hugepages is carved out of memory, and 100Mi are reserved.
        Assert.Equal((16L << 30) - (1L << 30) - (100L << 20), allocatable);
        Assert.Equal(allocatable - (1L << 30), available);
        Assert.Equal((1L << 30, 1L << 30, 1L << 30), Amounts(Resource(root, "node-1", "hugepages-2Mi")));
        Assert.DoesNotContain(root.GetProperty("zones")[0].GetProperty("resources").EnumerateArray(), r => r.GetProperty("name").GetString() == "hugepages-1Gi");
    }

    [Fact]
    public async Task The_nrt_file_is_replaced_whole_after_each_update()
    {
        ResourcePolicyHandler handler = await AdmitTwoGuaranteedPodsAsync();
        string file = Path.Combine(_directory, "nrt.json");
        var writer = new NrtWriter(file, message => throw new Xunit.Sdk.XunitException(message));
        var memory = MachineModel.MemoryNodes(Host.Sysfs.SysfsTopologyDiscovery.Discover(_machine.SysfsRoot));
        for (int i = 0; i < 20; i++)
        {
            writer.Write(NrtDocument.Build("n" + i, handler.Engine!, memory, []));
        }
        writer.Flush();
        using JsonDocument document = JsonDocument.Parse(await File.ReadAllBytesAsync(file));
        Assert.Equal("n19", document.RootElement.GetProperty("metadata").GetProperty("name").GetString());
        Assert.False(File.Exists(file + ".tmp"));
    }

    [Fact]
    public async Task State_command_prints_holdings_and_json_for_scripts()
    {
        await AdmitTwoGuaranteedPodsAsync();
        NodeInspection inspection = NodeInspection.Load(ConfigFile, null, _machine.SysfsRoot, new System.Collections.Hashtable());
        var text = new StringWriter();
        Assert.Equal(0, StateCommand.Run(inspection, json: false, text));
        string output = text.ToString();
        Assert.Contains("resource management: ON", output, StringComparison.Ordinal);
        Assert.Contains("reserved CPUs:       0 (1 CPUs)", output, StringComparison.Ordinal);
        Assert.Matches(@"pod-a\s+app\s+app\s+container\s+1,9 \(exclusive\)\s+0\s+0\s+memory 1Gi", output);
        Assert.Matches(@"pod-b\s+app\s+app\s+container\s+4-6,12-14 \(exclusive\)\s+1\s+1\s+memory 1Gi", output);

        var json = new StringWriter();
        Assert.Equal(0, StateCommand.Run(inspection, json: true, json));
        using JsonDocument document = JsonDocument.Parse(json.ToString());
        JsonElement root = document.RootElement;
        Assert.True(root.GetProperty("resourceManagementActive").GetBoolean());
        Assert.Equal("0", root.GetProperty("reservedCpus").GetString());
        JsonElement b = root.GetProperty("containers").EnumerateArray().Single(c => c.GetProperty("podUid").GetString() == "pod-b");
        Assert.Equal("4-6,12-14", b.GetProperty("cpus").GetString());
        Assert.Equal("container", b.GetProperty("isolation").GetString());
        Assert.Equal("1", b.GetProperty("memoryNumaNodes").GetString());
        Assert.Equal(1L << 30, b.GetProperty("memoryBlocks").GetProperty("memory").GetInt64());
    }

    [Fact]
    public async Task An_untrusted_state_file_says_what_is_wrong_and_what_to_do()
    {
        await AdmitTwoGuaranteedPodsAsync();
        string file = Path.Combine(StateDirectory, "resmgrlite_state");
        byte[] bytes = await File.ReadAllBytesAsync(file);
        bytes[^10] ^= 0x01;
        await File.WriteAllBytesAsync(file, bytes);

        var text = new StringWriter();
        int exit = StateCommand.Run(NodeInspection.Load(ConfigFile, null, _machine.SysfsRoot, new System.Collections.Hashtable()), json: false, text);

        Assert.Equal(1, exit);
        string output = text.ToString();
        Assert.Contains("resource management: OFF (the state file cannot be trusted)", output, StringComparison.Ordinal);
        Assert.Contains(file, output, StringComparison.Ordinal);
        Assert.Contains("drain the node (kubectl drain), delete " + file, output, StringComparison.Ordinal);
        Assert.Contains("docs/state.md", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_changed_reservation_is_reported_like_the_plugin_reports_it()
    {
        await AdmitTwoGuaranteedPodsAsync();
        await File.WriteAllTextAsync(ConfigFile, (await File.ReadAllTextAsync(ConfigFile)).Replace("reservedSystemCPUs = \"0\"", "reservedSystemCPUs = \"0,8\"", StringComparison.Ordinal));
        var json = new StringWriter();

        int exit = StateCommand.Run(NodeInspection.Load(ConfigFile, null, _machine.SysfsRoot, new System.Collections.Hashtable()), json: true, json);

        Assert.Equal(1, exit);
        using JsonDocument document = JsonDocument.Parse(json.ToString());
        Assert.Equal("untrusted_state", document.RootElement.GetProperty("reason").GetString());
        Assert.Contains("does not match this machine or configuration", document.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("revert the change", document.RootElement.GetProperty("advice").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_active_gauge_gives_the_plugins_own_reason_like_the_state_command()
    {
        await AdmitTwoGuaranteedPodsAsync();
        await File.WriteAllTextAsync(ConfigFile, (await File.ReadAllTextAsync(ConfigFile)).Replace("reservedSystemCPUs = \"0\"", "reservedSystemCPUs = \"0,8\"", StringComparison.Ordinal));
        var metrics = new PluginMetrics("1.2.3", new ProcessMetrics());
        var restarted = new ResourcePolicyHandler(new PluginLog(Path.Combine(_directory, "restarted.log"), ProtocolLogLevel.Debug),
            new HandlerOptions(_machine.SysfsRoot, "test.conf", ConfigFile, new System.Collections.Hashtable(), _machine.ProcRoot));
        var measured = new MeasuredEventHandler(restarted, metrics, () => restarted.Status.Now.Reason);
        var info = new NriRuntimeInfo("containerd", "2.1.9", "", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), NriApiLevel.V0_6);

        string before = metrics.Registry.Render(ExpositionFormat.Prometheus);
        await measured.ConfigureAsync(new NriConfigureContext("", info, new NoRuntime()), CancellationToken.None);
        string after = metrics.Registry.Render(ExpositionFormat.Prometheus);

        Assert.Equal(0, StrictExpositionParser.Parse(before, openMetrics: false)["resmgrlite_resource_management_active{reason=\"not_configured\"}"]);
        var parsed = StrictExpositionParser.Parse(after, openMetrics: false);
        Assert.Equal(0, parsed["resmgrlite_resource_management_active{reason=\"untrusted_state\"}"]);
        Assert.DoesNotContain("resmgrlite_resource_management_active{}", parsed.Samples.Keys);
        var json = new StringWriter();
        StateCommand.Run(NodeInspection.Load(ConfigFile, null, _machine.SysfsRoot, new System.Collections.Hashtable()), json: true, json);
        using JsonDocument document = JsonDocument.Parse(json.ToString());
        Assert.Equal("untrusted_state", document.RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public void No_state_file_is_an_empty_state()
    {
        var text = new StringWriter();
        int exit = StateCommand.Run(NodeInspection.Load(null, Path.Combine(_directory, "none"), _machine.SysfsRoot, new System.Collections.Hashtable()), json: false, text);
        Assert.Equal(0, exit);
        Assert.Contains("no state file: nothing is allocated yet", text.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nrt_command_prints_the_document_with_the_state_file_allocations()
    {
        await AdmitTwoGuaranteedPodsAsync();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = NrtCommand.Run(NodeInspection.Load(ConfigFile, null, _machine.SysfsRoot, new System.Collections.Hashtable()), "node-x", stdout, stderr);
        Assert.True(exit == 0, stderr.ToString());
        using JsonDocument document = JsonDocument.Parse(stdout.ToString());
        Assert.Equal((8, 8, 2), Amounts(Resource(document.RootElement, "node-1", "cpu")));
        Assert.Equal("node-x", document.RootElement.GetProperty("metadata").GetProperty("name").GetString());
    }
}
