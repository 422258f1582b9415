using System.Collections;
using System.Text.Json;
using ResMgrLite.Commands;
using ResMgrLite.Simulate;
using ResMgrLite.TestSupport.Sysfs;
using static ResMgrLite.Tests.Simulate.PodsFileReaderTests;

namespace ResMgrLite.Tests.Simulate;

/// <summary>The command end to end in-process: configuration and engine as the plugin starts them, outcomes, errors.</summary>
public sealed class SimulateCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("resmgrlite-simulate-").FullName;
    private readonly SysfsTree _machine = new SysfsMachineBuilder().Sockets(2).CoresPerSocket(4).ThreadsPerCore(2).Build().WriteTree();

    private const string StaticConfig = """
        [topologyManager]
        policy = "single-numa-node"
        [cpuManager]
        policy = "static"
        reservedSystemCPUs = "0"
        [memoryQoS]
        enabled = true
        memoryReservationPolicy = "TieredReservation"
        """;

    public void Dispose()
    {
        _machine.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string Write(string name, string content)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private (int Exit, string Stdout, string Stderr) Run(string config, string pods, bool json = false, string? topology = null)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exit = SimulateCommand.Run(Write("config.toml", config), topology ?? _machine.SysfsRoot, Write("pods.json", pods), _machine.ProcRoot, json, new Hashtable(), stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static string Pods(params string[] pods) => J("{'items':[" + string.Join(',', pods) + "]}");

    private static string OnePod(string name, string containers, string annotations = "") =>
        "{'metadata':{'name':'" + name + "'" + (annotations.Length > 0 ? ",'annotations':{" + annotations + "}" : "") + "},'spec':{'containers':[" + containers + "]}}";

    private const string TwoCpus = "{'limits':{'cpu':'2','memory':'1Gi'}}";

    [Fact]
    public void Exclusive_cpus_shrink_the_shared_pool_a_too_large_container_is_refused_and_an_opted_out_pod_takes_nothing()
    {
        string pods = Pods(
            OnePod("web", Container("nginx", "{'requests':{'cpu':'500m','memory':'256Mi'},'limits':{'memory':'1Gi'}}")),
            OnePod("db", Container("postgres", TwoCpus)),
            OnePod("huge", Container("big", "{'limits':{'cpu':'10','memory':'1Gi'}}")),
            OnePod("free", Container("x", TwoCpus), "'resmgrlite.io/opt-out':'true'"));

        var (exit, stdout, stderr) = Run(StaticConfig, pods, json: true);

        Assert.True(exit == 0, stderr);
        SimulationReportView report = SimulationReportView.Of(stdout);
        // 2 sockets x 4 cores x 2 threads, siblings (c, c+8); CPU 0 reserved: the first free core is 1,9.
        Assert.Equal(("admitted", "1,9", "container", true), report.Container("db", "postgres"));
        Assert.Equal(("admitted", "0,2-8,10-15", "host", false), report.Container("web", "nginx"));
        Assert.Equal("0,2-8,10-15", report.SharedPool);
        Assert.Equal("refused", report.Container("huge", "big").Outcome);
        Assert.Contains("TopologyAffinityError", report.Refusal("huge", "big"), StringComparison.Ordinal);
        Assert.Equal("not-managed", report.Container("free", "x").Outcome);
        // Memory QoS: a Guaranteed 1Gi pod and a Burstable 256Mi one under the parents.
        Assert.Equal((1L << 30) + (256L << 20), report.Root.GetProperty("memoryQos").GetProperty("kubepodsMemoryMin").GetInt64());
        Assert.Equal(256L << 20, report.Root.GetProperty("memoryQos").GetProperty("burstableMemoryLow").GetInt64());
    }

    [Fact]
    public void Text_output_names_every_container_and_the_pools()
    {
        var (exit, stdout, _) = Run(StaticConfig, Pods(OnePod("db", Container("postgres", TwoCpus))));
        Assert.Equal(0, exit);
        Assert.StartsWith("Machine: 2 socket(s), 2 NUMA node(s), 16 CPUs, cgroups unified (read from sysfs)\n", stdout, StringComparison.Ordinal);
        Assert.Contains("\nPod default/db (Guaranteed)\n", stdout, StringComparison.Ordinal);
        Assert.Contains("  app postgres: CPUs 1,9 (NUMA 0), isolation container, CFS quota lifted\n", stdout, StringComparison.Ordinal);
        Assert.Contains("    memory QoS: memory.min 1073741824 (1.0 GiB), memory.low 0, memory.max 1073741824 (1.0 GiB)\n", stdout, StringComparison.Ordinal);
        Assert.Contains("Node shared pool: 0,2-8,10-15 (reserved 0)\n", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_cpu_manager_cpus_are_not_managed_and_memory_qos_follows_the_cgroup_version()
    {
        using SysfsTree hybrid = new SysfsMachineBuilder().Cgroups(CgroupLayout.Hybrid).Build().WriteTree();
        using var stdout = new StringWriter();
        int exit = SimulateCommand.Run(Write("c.toml", "[memoryQoS]\nenabled = true\n"), hybrid.SysfsRoot, Write("p.json", Pods(OnePod("a", Container("c")))), hybrid.ProcRoot,
            json: false, new Hashtable(), stdout, TextWriter.Null);
        Assert.Equal(0, exit);
        Assert.Contains("Memory QoS off (configured, but the machine is not cgroup v2 only (hybrid), so the plugin leaves it off)", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("  app c: CPUs not managed\n", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("Node shared pool: not managed", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Inputs_that_cannot_be_used_exit_1_with_the_reason()
    {
        var invalid = Run("[cpuManager]\npolicy = \"dynamic\"\n", Pods(OnePod("a", Container("c"))));
        Assert.Equal(1, invalid.Exit);
        Assert.StartsWith("resmgrlite simulate: the configuration is invalid for this machine, so the plugin would stay passive:", invalid.Stderr, StringComparison.Ordinal);
        Assert.Contains("resmgrlite validate --config", invalid.Stderr, StringComparison.Ordinal);
        Assert.Empty(invalid.Stdout);

        var badPods = Run(StaticConfig, "{\"items\": 3}");
        Assert.Equal(1, badPods.Exit);
        Assert.StartsWith($"resmgrlite simulate: {Path.Combine(_dir, "pods.json")}: line 1, column 12, at $.items: the value has the wrong type", badPods.Stderr, StringComparison.Ordinal);

        var noMachine = Run(StaticConfig, Pods(), topology: Path.Combine(_dir, "none.json"));
        Assert.Equal(1, noMachine.Exit);
        Assert.Contains("none.json: does not exist", noMachine.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_command_line_requires_the_three_inputs()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(2, Cli.Run(["simulate", "--config", "x.toml", "--pods", "p.json"], stdout, stderr));
        Assert.StartsWith("resmgrlite simulate: --topology is required", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, Cli.Run(["simulate", "--help"], stdout, stderr));
        Assert.Contains("--topology DIR|FILE", stdout.ToString(), StringComparison.Ordinal);
    }

    /// <summary>The --json document, read back with JsonDocument.</summary>
    private sealed class SimulationReportView(JsonElement root)
    {
        public JsonElement Root => root;

        public string? SharedPool => root.GetProperty("sharedPool").GetString();

        public static SimulationReportView Of(string json) => new(JsonDocument.Parse(json).RootElement);

        private JsonElement Find(string pod, string container) => root.GetProperty("pods").EnumerateArray()
            .Single(p => p.GetProperty("name").GetString() == pod).GetProperty("containers").EnumerateArray()
            .Single(c => c.GetProperty("name").GetString() == container);

        public (string? Outcome, string? Cpus, string? Isolation, bool QuotaLifted) Container(string pod, string container)
        {
            JsonElement c = Find(pod, container);
            return (c.GetProperty("outcome").GetString(), c.GetProperty("cpus").GetString(), c.GetProperty("isolation").GetString(), c.GetProperty("quotaLifted").GetBoolean());
        }

        public string Refusal(string pod, string container) => Find(pod, container).GetProperty("refusal").GetString() ?? "";
    }
}
