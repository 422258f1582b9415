using System.Text;
using ResMgrLite.Commands;
using ResMgrLite.Engine;
using ResMgrLite.Host.Cgroups;
using ResMgrLite.Host.Sysfs;
using ResMgrLite.Simulate;
using ResMgrLite.TestSupport.Sysfs;

namespace ResMgrLite.Tests.Simulate;

public sealed class MachineInputTests
{
    private static MachineInput Parse(string json) => MachineInput.Parse(Encoding.UTF8.GetBytes(json), "topology.json");

    public static TheoryData<string> Machines => ["dual-socket", "snc-l3-groups-offline-isolated", "no-numa", "epyc-nps4", "no-l3"];

    private static SysfsMachine Machine(string name) => name switch
    {
        "dual-socket" => SysfsFixtures.DualSocketIntelHt(),
        "snc-l3-groups-offline-isolated" => new SysfsMachineBuilder().Sockets(2).CoresPerSocket(8).ThreadsPerCore(2).NumaNodesPerSocket(2).CoresPerL3(2)
            .Offline(CpuSet.Of(31)).Isolated(CpuSet.Of(1, 17)).Build(),
        "no-numa" => new SysfsMachineBuilder().Sockets(2).CoresPerSocket(4).NoNumaDirectories().Build(),
        "epyc-nps4" => SysfsFixtures.EpycNps4(),
        _ => SysfsFixtures.Arm80(),
    };

    [Theory]
    [MemberData(nameof(Machines))]
    public void A_captured_topology_rebuilds_the_machine_it_was_captured_from(string name)
    {
        using SysfsTree tree = Machine(name).WriteTree();
        var discovered = SysfsTopologyDiscovery.Discover(tree.SysfsRoot);
        CgroupSituation cgroups = CgroupDetector.Detect(tree.ProcRoot, tree.SysfsRoot);
        string captured = TopologyCommand.FormatJson(discovered, cgroups);

        MachineInput rebuilt = Parse(captured);

        // Everything topology --json shows (ids, cores, uncore groups, caches, memory, distances) comes back the same.
        Assert.Equal(captured, TopologyCommand.FormatJson(rebuilt.Machine, cgroups));
        Assert.Equal(cgroups.Mode, rebuilt.Cgroups);
    }

    [Fact]
    public void A_sysfs_directory_is_read_with_its_cgroups()
    {
        using SysfsTree tree = new SysfsMachineBuilder().Cgroups(CgroupLayout.Hybrid).Build().WriteTree();
        MachineInput input = MachineInput.Load(tree.SysfsRoot, tree.ProcRoot);
        Assert.Equal(8, input.Machine.Cpus.Length);
        Assert.Equal(CgroupMode.Hybrid, input.Cgroups);
    }

    [Fact]
    public void Broken_captures_are_refused_with_the_field_and_what_to_do()
    {
        Assert.StartsWith("topology.json: \"cpus\" is missing or empty: capture the machine with resmgrlite topology --json",
            Assert.Throws<SimulationInputException>(() => Parse("{}")).Message, StringComparison.Ordinal);
        Assert.StartsWith("topology.json: line 1, column 23, at $.cpus[0].cpu: the value has the wrong type",
            Assert.Throws<SimulationInputException>(() => Parse("{\"cpus\":[{\"cpu\":\"zero\"}]}")).Message, StringComparison.Ordinal);
        Assert.StartsWith("topology.json: offline: not a cpulist at position 0",
            Assert.Throws<SimulationInputException>(() => Parse("{\"offline\":\"x\",\"cpus\":[{\"cpu\":0}]}")).Message, StringComparison.Ordinal);
        Assert.StartsWith("topology.json: the machine it describes is inconsistent: cpu 0 was given twice",
            Assert.Throws<SimulationInputException>(() => Parse("{\"hasNumaInformation\":false,\"cpus\":[{\"cpu\":0},{\"cpu\":0}]}")).Message, StringComparison.Ordinal);
        Assert.StartsWith("topology.json: cgroups.mode \"v3\" is not unified, hybrid, legacy or none",
            Assert.Throws<SimulationInputException>(() => Parse("{\"hasNumaInformation\":false,\"cpus\":[{\"cpu\":0}],\"cgroups\":{\"mode\":\"v3\"}}")).Message, StringComparison.Ordinal);
        string missing = Path.Combine(Path.GetTempPath(), $"resmgrlite-no-such-{Guid.NewGuid():N}");
        Assert.Equal($"{missing}: does not exist: name a sysfs directory or a file from resmgrlite topology --json",
            Assert.Throws<SimulationInputException>(() => MachineInput.Load(missing, "/proc")).Message);
    }

    [Fact]
    public void A_minimal_hand_written_machine_is_enough()
    {
        MachineInput input = Parse("{\"hasNumaInformation\":false,\"cpus\":[{\"cpu\":0},{\"cpu\":1,\"physicalCoreId\":1},{\"cpu\":2,\"socketId\":1}]}");
        Assert.Equal(2, input.Machine.Sockets.Length);
        Assert.Equal(3, input.Machine.Cores.Length);
        Assert.Equal(CgroupMode.Unified, input.Cgroups);
    }
}
