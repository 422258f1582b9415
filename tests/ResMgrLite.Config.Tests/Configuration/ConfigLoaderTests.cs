using ResMgrLite.Config.Settings;
using ResMgrLite.Config.Sources;
using ResMgrLite.Engine;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.TopologyManagement;
using static ResMgrLite.Config.Tests.Configuration.ConfigFixtures;

namespace ResMgrLite.Config.Tests.Configuration;

public sealed class ConfigLoaderTests
{
    [Fact]
    public void Packaged_sample_validates_clean_and_binds_every_section()
    {
        foreach (var machine in new[] { Machines.TwoNodes, Machines.Small })
        {
            var result = ConfigLoader.Load([ConfigFixtures.FromFile(SamplePath)], machine);

            Assert.True(result.IsValid, Messages(result));
            var settings = result.Settings!;
            Assert.Equal(TopologyPolicy.BestEffort, settings.TopologyManager.Policy);
            Assert.Equal(CpuManagerPolicy.Static, settings.CpuManagerPolicy);
            Assert.Equal(CpuSet.Of(0), settings.CpuManager.ReservedCpus);
            Assert.Equal(1, settings.CpuManager.ReservedCpuCount);
            Assert.Equal(MemoryManagerPolicy.Static, settings.MemoryManagerPolicy);
            var node = Assert.Single(settings.MemoryManager.ReservedMemory);
            Assert.Equal(612L << 20, node.Limits.Memory);
            Assert.Equal(612L << 20, settings.NodeReservedMemoryBytes);
            Assert.Equal(0.9, settings.MemoryQos.ThrottlingFactor);
            Assert.Equal(TimeSpan.FromSeconds(10), settings.CpuManagerReconcilePeriod);
            Assert.Equal(LogLevel.Info, settings.LogLevel);
        }
    }

    [Fact]
    public void Empty_configuration_gives_the_documented_defaults()
    {
        var result = LoadToml("", Machines.TwoNodes);

        Assert.True(result.IsValid, Messages(result));
        var s = result.Settings!;
        Assert.Equal(TopologyPolicy.None, s.TopologyManager.Policy);
        Assert.Equal(TopologyScope.Container, s.TopologyManager.Scope);
        Assert.Equal(8, s.TopologyManager.MaxAllowableNumaNodes);
        Assert.Equal(CpuManagerPolicy.None, s.CpuManagerPolicy);
        Assert.Equal(MemoryManagerPolicy.None, s.MemoryManagerPolicy);
        Assert.Equal(100L << 20, s.EvictionHardMemoryBytes);
        Assert.True(s.PodLevelResources);
        Assert.False(s.PodLevelResourceManagers);
        Assert.Equal("/var/lib/resmgrlite", s.StateDirectory);
        Assert.Equal(TimeSpan.FromSeconds(5), s.HooksTimeout);
    }

    [Fact]
    public void Three_mistakes_give_three_positioned_messages()
    {
        const string toml = """
            [cpuManager]
            polcy = "static"
            reservedSystemCPUs = "0,12"

            [memoryQoS]
            memoryThrottlingFactor = "high"
            """;

        var result = LoadToml(toml, Machines.TwoNodes);

        Assert.False(result.IsValid);
        Assert.Equal(
            [
                "test.conf:2:1: unknown key 'cpuManager.polcy' in [cpuManager]; did you mean 'policy'?",
                "test.conf:3:1: cpuManager.reservedSystemCPUs: reservedSystemCPUs \"0,12\" names CPUs that are not online on this machine: \"12\" (online: \"0-7\")",
                "test.conf:6:1: memoryQoS.memoryThrottlingFactor: expected a number, found the string \"high\"",
            ],
            result.Problems.Select(p => p.ToString()));
        Assert.Null(result.Settings);
    }

    [Theory]
    [InlineData("[cpuManagr]\npolicy = \"static\"\n", "test.conf:1:2: unknown key 'cpuManagr' at the top level; did you mean 'cpuManager'?")]
    [InlineData("policy = \"static\"\n", "test.conf:1:1: unknown key 'policy' at the top level")]
    [InlineData("reservedSystemCPUs = \"0\"\n", "test.conf:1:1: unknown key 'reservedSystemCPUs' at the top level; did you mean 'cpuManager.reservedSystemCPUs'?")]
    [InlineData("[cpuManager.policyOptions]\nfull-pcpu-only = true\n", "test.conf:2:1: unknown key 'cpuManager.policyOptions.full-pcpu-only' in [cpuManager.policyOptions]; did you mean 'full-pcpus-only'?")]
    [InlineData("[totally]\n[totally.unknown]\nx = 1\n", "test.conf:1:2: unknown key 'totally' at the top level")]
    public void Unknown_keys_are_rejected_with_a_suggestion(string toml, string expected)
    {
        var result = LoadToml(toml);

        Assert.Equal([expected], result.Problems.Select(p => p.ToString()));
    }

    [Theory]
    [InlineData("[cpuManager]\npolicy = 1\n", "test.conf:2:1: cpuManager.policy: expected a string (one of \"none\", \"static\"), found the integer 1")]
    [InlineData("[cpuManager]\npolicy = \"Static\"\n", "test.conf:2:1: cpuManager.policy: 'Static' is not allowed; expected one of 'none', 'static'; did you mean 'static'?")]
    [InlineData("[memoryManager]\npolicy = \"static\"\n", "test.conf:2:1: memoryManager.policy: 'static' is not allowed; expected one of 'None', 'Static'; did you mean 'Static'?")]
    [InlineData("[memoryQoS]\nenabled = \"yes\"\n", "test.conf:2:1: memoryQoS.enabled: expected a boolean (true or false), found the string \"yes\"")]
    [InlineData("[topologyManager.policyOptions]\nmax-allowable-numa-nodes = 4\n", "test.conf:2:1: topologyManager.policyOptions.max-allowable-numa-nodes: the minimum value of \"max-allowable-numa-nodes\" should not be less than 8 (docs/kubelet-rules.md §2.4)")]
    [InlineData("[memoryQoS]\nmemoryThrottlingFactor = 1.5\n", "test.conf:2:1: memoryQoS.memoryThrottlingFactor: memoryThrottlingFactor 1.5 is out of range; expected a value in (0, 1] (docs/kubelet-rules.md §6.1)")]
    [InlineData("[cpuManager]\nreconcilePeriod = \"10 seconds\"\n", "test.conf:2:1: cpuManager.reconcilePeriod: '10 seconds' is not a positive duration like \"10s\", \"500ms\" or \"1m30s\"")]
    [InlineData("[cpuManager]\nreservedSystemCPUs = \"0-\"\n", "test.conf:2:1: cpuManager.reservedSystemCPUs: '0-' is not a CPU list like \"0-3,8\"")]
    [InlineData("[state]\ndirectory = \"var/lib\"\n", "test.conf:2:1: state.directory: 'var/lib' is not an absolute path")]
    [InlineData("[metrics]\nlistenAddress = \"localhost\"\n", "test.conf:2:1: metrics.listenAddress: 'localhost' is not host:port")]
    [InlineData("cpuManager = \"static\"\n", "test.conf:1:1: cpuManager: expected a table, found the string \"static\"")]
    [InlineData("[cpuManager.policy]\n", "test.conf:1:13: cpuManager.policy: expected a string (one of \"none\", \"static\"), found a table")]
    [InlineData("[memoryManager.reservedMemory]\nnumaNode = 0\n", "test.conf:1:16: memoryManager.reservedMemory: expected an array of tables")]
    [InlineData("[nodeAllocatable.systemReserved]\nmemroy = \"1Gi\"\n", "test.conf:2:1: nodeAllocatable.systemReserved.memroy: unknown resource 'memroy'; expected cpu, memory, ephemeral-storage, pid or hugepages-<size>; did you mean 'memory'?")]
    [InlineData("[nodeAllocatable.systemReserved]\nmemory = \"-1Gi\"\n", "test.conf:2:1: nodeAllocatable.systemReserved.memory: '-1Gi' is not a non-negative quantity")]
    [InlineData("[log]\ntarget = \"stdrr\"\n", "test.conf:2:1: log.target: 'stdrr' is not a log target; expected \"file\", \"stderr\", \"stdout\", \"journal\" or an absolute file path; did you mean 'stderr'?")]
    [InlineData("[topologyManager.policyOptions]\nmax-allowable-numa-nodes = 99999999999\n", "test.conf:2:1: topologyManager.policyOptions.max-allowable-numa-nodes: expected a non-negative integer below 2^31")]
    [InlineData("[[memoryManager.reservedMemory]]\nnumaNode = -1\n", "test.conf:2:1: memoryManager.reservedMemory[0].numaNode: expected a non-negative integer below 2^31")]
    [InlineData("[cpuManager]\npolicy = \"none\"\nPolicy = \"static\"\n", "test.conf:3:1: cpuManager.Policy: already set at test.conf:2:1 (keys are case-insensitive)")]
    [InlineData("[memoryManager]\nreservedMemory = [1]\n", "test.conf:2:19: memoryManager.reservedMemory[0]: expected a table, found the integer 1")]
    [InlineData("[featureGates]\nPodLevelResources = false\nPodLevelResourceManagers = true\n", "test.conf:3:1: featureGates.PodLevelResourceManagers: PodLevelResourceManagers needs the PodLevelResources gate on (docs/kubelet-rules.md §5.1)")]
    public void Types_ranges_and_rules_are_checked_with_positions(string toml, string expectedPrefix)
    {
        var result = LoadToml(toml, Machines.TwoNodes);

        var problem = Assert.Single(result.Problems);
        Assert.StartsWith(expectedPrefix, problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Toml_syntax_errors_become_positioned_problems()
    {
        var result = LoadToml("[cpuManager]\npolicy = static\n");

        var problem = Assert.Single(result.Problems);
        Assert.Equal(new ConfigLocation("test.conf", 2, 10), problem.Location);
        Assert.Contains("expected a value", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Static_cpu_policy_needs_reserved_cpus()
    {
        var without = LoadToml("[cpuManager]\npolicy = \"static\"\n", Machines.TwoNodes);
        var fromReservations = LoadToml("[cpuManager]\npolicy = \"static\"\n[nodeAllocatable]\nsystemReserved = { cpu = \"500m\" }\nkubeReserved = { cpu = \"1100m\" }\n", Machines.TwoNodes);

        Assert.Equal("test.conf:2:1: cpuManager.policy: the static policy needs reserved CPUs: set cpuManager.reservedSystemCPUs, or a cpu amount in nodeAllocatable.systemReserved or kubeReserved (docs/kubelet-rules.md §3.1)",
            Assert.Single(without.Problems).ToString());
        Assert.True(fromReservations.IsValid, Messages(fromReservations));
        Assert.Equal(2, fromReservations.Settings!.CpuManager.ReservedCpuCount);
        Assert.Equal(1600, fromReservations.Settings.SystemReserved["cpu"] + fromReservations.Settings.KubeReserved["cpu"]);
    }

    [Fact]
    public void Offline_reserved_cpus_are_one_problem_not_two()
    {
        var result = LoadToml("[cpuManager]\npolicy = \"static\"\nreservedSystemCPUs = \"0,9\"\n", Machines.Small);

        Assert.Contains("not online on this machine: \"9\"", Assert.Single(result.Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reserving_every_cpu_is_rejected()
    {
        var result = LoadToml("[cpuManager]\npolicy = \"static\"\nreservedSystemCPUs = \"0-1\"\n", Machines.Small);

        Assert.Contains("2 reserved CPUs leave none of the 2 online CPUs for containers", Assert.Single(result.Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reserved_memory_must_add_up_to_the_node_allocatable_reservation()
    {
        // docs/kubelet-rules.md §4.1 example: kubeReserved 16Gi and the default 100Mi eviction threshold → 16484Mi in total.
        const string config = """
            [memoryManager]
            policy = "Static"
            [[memoryManager.reservedMemory]]
            numaNode = 0
            limits = { memory = "8Gi" }
            [[memoryManager.reservedMemory]]
            numaNode = 1
            limits = { memory = "8Gi" }
            [nodeAllocatable]
            kubeReserved = { memory = "16Gi" }
            """;
        var machine = Machines.TwoNodes with
        {
            NumaNodes = [new NumaMemoryInfo(0, 32L << 30), new NumaMemoryInfo(1, 32L << 30)],
        };

        var wrong = LoadToml(config, machine);
        var right = LoadToml(config.Replace("numaNode = 1\nlimits = { memory = \"8Gi\" }", "numaNode = 1\nlimits = { memory = \"8292Mi\" }", StringComparison.Ordinal), machine);

        Assert.Equal("test.conf:5:12: memoryManager.reservedMemory[0].limits.memory: the total amount \"16384Mi\" of type \"memory\" is not equal to the value \"16484Mi\" determined by Node Allocatable feature (kubeReserved + systemReserved + evictionHard memory.available) (docs/kubelet-rules.md §4.1)",
            Assert.Single(wrong.Problems).ToString());
        Assert.True(right.IsValid, Messages(right));
        Assert.Equal(16484L << 20, right.Settings!.NodeReservedMemoryBytes);
    }

    [Fact]
    public void Reserved_memory_is_checked_against_the_machine()
    {
        const string config = """
            [memoryManager]
            policy = "Static"
            [[memoryManager.reservedMemory]]
            numaNode = 0
            limits = { memory = "100Mi", hugepages-2Mi = "64Mi" }
            [[memoryManager.reservedMemory]]
            numaNode = 3
            limits = { memory = "0" }
            [nodeAllocatable]
            systemReserved = { hugepages-2Mi = "64Mi" }
            """;

        var result = LoadToml(config, Machines.TwoNodes);

        Assert.Equal(
            [
                "test.conf:5:30: memoryManager.reservedMemory[0].limits.hugepages-2Mi: reserves 64Mi of hugepages-2Mi but NUMA node 0 has only 16 pages (32Mi)",
                "test.conf:7:1: memoryManager.reservedMemory[1].numaNode: the reserved memory configuration references a NUMA node 3 that does not exist on this machine (nodes: 0, 1) (docs/kubelet-rules.md §4.1)",
            ],
            result.Problems.Select(p => p.ToString()));
    }

    [Fact]
    public void Static_memory_policy_without_any_reservation_is_rejected()
    {
        var result = LoadToml("[memoryManager]\npolicy = \"Static\"\n[nodeAllocatable]\nevictionHard = { \"memory.available\" = \"0\" }\n", Machines.TwoNodes);

        Assert.Contains("you should specify the system reserved memory", Assert.Single(result.Problems).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("full-pcpus-only", "distribute-cpus-across-cores", "", "cannot be used together")]
    [InlineData("prefer-align-cpus-by-uncorecache", "distribute-cpus-across-numa", "", "cannot be used together")]
    [InlineData("align-by-socket", null, "", "needs the feature gate featureGates.CPUManagerPolicyAlphaOptions = true")]
    [InlineData("distribute-cpus-across-numa", null, "[featureGates]\nCPUManagerPolicyBetaOptions = false\n", "needs the feature gate featureGates.CPUManagerPolicyBetaOptions = true")]
    public void Cpu_manager_options_follow_the_kubelet_rules(string first, string? second, string extra, string expected)
    {
        string toml = $"[cpuManager]\npolicy = \"static\"\nreservedSystemCPUs = \"0\"\n[cpuManager.policyOptions]\n{first} = true\n"
            + (second is null ? "" : $"{second} = true\n")
            + "[featureGates]\nCPUManagerPolicyAlphaOptions = " + (first == "align-by-socket" ? "false" : "true") + "\n"
            + extra.Replace("[featureGates]\n", "", StringComparison.Ordinal);

        var result = LoadToml(toml, Machines.TwoNodes);

        Assert.Contains(result.Problems, p => p.Message.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Cpu_manager_options_need_the_static_policy()
    {
        var result = LoadToml("[cpuManager.policyOptions]\nfull-pcpus-only = true\n", Machines.TwoNodes);

        Assert.Equal("test.conf:2:1: cpuManager.policyOptions.full-pcpus-only: CPU manager option 'full-pcpus-only' needs cpuManager.policy = \"static\"",
            Assert.Single(result.Problems).ToString());
    }

    [Fact]
    public void Too_many_numa_nodes_for_the_topology_manager_is_rejected()
    {
        var nodes = Enumerable.Range(0, 9).Select(id => new NumaMemoryInfo(id, 1L << 30)).ToList();
        var machine = new MachineFacts(CpuSet.Range(0, 17), nodes);

        var result = LoadToml("[topologyManager]\npolicy = \"restricted\"\n", machine);
        var withNone = LoadToml("", machine);

        Assert.Contains("more than 8 NUMA nodes", Assert.Single(result.Problems).Message, StringComparison.Ordinal);
        Assert.True(withNone.IsValid, Messages(withNone));
    }

    [Fact]
    public void Environment_overrides_files_and_is_checked_by_parsing()
    {
        var overridden = LoadToml("[log]\nlevel = \"info\"\n", Machines.TwoNodes, ("RESMGRLITE__LOG__LEVEL", "debug"), ("RESMGRLITE__MEMORYQOS__MEMORYTHROTTLINGFACTOR", "0.5"), ("OTHER__LOG__LEVEL", "error"));
        var bad = LoadToml("", Machines.TwoNodes, ("RESMGRLITE__CPUMANAGER__POLICY", "dynamic"), ("RESMGRLITE__CPUMANAGER__POLCY", "static"));

        Assert.True(overridden.IsValid, Messages(overridden));
        Assert.Equal(LogLevel.Debug, overridden.Settings!.LogLevel);
        Assert.Equal(0.5, overridden.Settings.MemoryQos.ThrottlingFactor);
        Assert.Equal(
            [
                "env:RESMGRLITE__CPUMANAGER__POLCY: unknown key 'CPUMANAGER.POLCY' in [CPUMANAGER]; did you mean 'policy'?",
                "env:RESMGRLITE__CPUMANAGER__POLICY: cpuManager.policy: 'dynamic' is not allowed; expected one of 'none', 'static'",
            ],
            bad.Problems.Select(p => p.ToString()));
    }

    [Fact]
    public void Json_files_are_accepted_with_positions()
    {
        string path = Path.Combine(Path.GetTempPath(), $"resmgrlite-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """
            {
              // comments are fine
              "cpuManager": { "policy": "static", "reservedSystemCPUs": "0-1" },
              "memoryQoS": { "memoryThrottlingFactor": 0.75, "enabeld": true },
            }
            """);
        try
        {
            var result = ConfigLoader.Load([ConfigFixtures.FromFile(path)], Machines.TwoNodes);

            var problem = Assert.Single(result.Problems);
            Assert.Equal($"{path}:4:50: unknown key 'memoryQoS.enabeld' in [memoryQoS]; did you mean 'enabled'?", problem.ToString());
            Assert.Equal("static", result.Options.CpuManager.Policy);
            Assert.Equal(0.75, result.Options.MemoryQoS.MemoryThrottlingFactor);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void An_unreadable_file_is_one_problem()
    {
        var result = ConfigLoader.Load([ConfigDocument.Unreadable("/nonexistent/resmgrlite.conf", "does not exist")], null);

        Assert.Equal("/nonexistent/resmgrlite.conf: cannot read the configuration file: does not exist", Assert.Single(result.Problems).ToString());
    }

    [Fact]
    public void A_configuration_over_one_mebibyte_is_refused_before_parsing()
    {
        string huge = string.Concat(Enumerable.Repeat("k = 1\n", (ConfigDocument.MaxBytes / 6) + 1));
        var result = ConfigLoader.Load([ConfigDocument.FromToml(huge, "nri:Configure")], null);

        Assert.StartsWith("nri:Configure: the configuration is ", Assert.Single(result.Problems).ToString(), StringComparison.Ordinal);
        Assert.Contains("larger than 1 MiB", result.Problems[0].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Json_syntax_errors_carry_our_position_not_the_readers()
    {
        var result = ConfigLoader.Load([ConfigDocument.FromJson("{x"u8, "c.json")], null);

        string problem = Assert.Single(result.Problems).ToString();
        Assert.StartsWith("c.json:1:2: invalid JSON: ", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("BytePositionInLine", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Nri_configure_text_loads_like_a_file()
    {
        var result = ConfigLoader.Load([ConfigDocument.FromToml("[topologyManager]\npolicy = \"single-numa-node\"\nscope = \"pod\"\n", "nri:Configure")], Machines.TwoNodes);

        Assert.True(result.IsValid, Messages(result));
        Assert.Equal(TopologyPolicy.SingleNumaNode, result.Settings!.TopologyManager.Policy);
        Assert.Equal(TopologyScope.Pod, result.Settings.TopologyManager.Scope);
    }
}
