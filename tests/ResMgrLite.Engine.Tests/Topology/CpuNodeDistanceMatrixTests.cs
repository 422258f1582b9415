using ResMgrLite.Engine;
using ResMgrLite.Engine.Topology;

namespace ResMgrLite.Engine.Tests.Topology;

public class CpuNodeDistanceMatrixTests
{
    [Fact]
    public void Matrix_covers_only_nodes_with_cpus_in_id_order()
    {
        // Node 1 is memory-only (e.g. CXL); the CPU manager's matrix leaves it out.
        MachineTopology topology = new MachineTopologyBuilder()
            .AddCpu(new CpuFacts(0, 0, 0)).AddCpu(new CpuFacts(1, 0, 1))
            .AddNumaNode(new NumaNodeFacts(0, CpuSet.Of(0), 0, 0, [], [10, 40, 21]))
            .AddNumaNode(new NumaNodeFacts(1, CpuSet.Empty, 0, 0, [], [40, 10, 40]))
            .AddNumaNode(new NumaNodeFacts(2, CpuSet.Of(1), 0, 0, [], [21, 40, 10]))
            .Build();

        int[][] matrix = topology.GetCpuNodeDistanceMatrix();

        Assert.Equal([[10, 21], [21, 10]], matrix);
        var cpuTopology = ResMgrLite.Engine.Cpu.CpuTopology.Create(topology.Cpus, matrix);
        Assert.Equal(2, cpuTopology.NumNumaNodes);
    }

    [Fact]
    public void Matrix_is_empty_when_a_row_is_missing()
    {
        MachineTopology topology = new MachineTopologyBuilder()
            .AddCpu(new CpuFacts(0, 0, 0)).AddCpu(new CpuFacts(1, 0, 1))
            .AddNumaNode(new NumaNodeFacts(0, CpuSet.Of(0), 0, 0, [], [10, 21]))
            .AddNumaNode(new NumaNodeFacts(1, CpuSet.Of(1), 0, 0, [], []))
            .Build();

        Assert.Empty(topology.GetCpuNodeDistanceMatrix());
    }
}
