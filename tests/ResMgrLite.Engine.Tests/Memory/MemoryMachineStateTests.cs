using ResMgrLite.Engine.Memory;
using static ResMgrLite.Engine.Tests.Memory.MemoryTestMachines;

namespace ResMgrLite.Engine.Tests.Memory;

/// <summary>Initial machine state and reserved-memory validation (spec/resource-managers.md §4.1, §4.2).</summary>
public sealed class MemoryMachineStateTests
{
    [Fact]
    public void Initial_tables_carve_hugepages_and_reservations_out_of_memtotal()
    {
        MemoryManagerOptions o = OneNode();
        var state = MemoryMachineState.Create(o.Nodes, o.ReservedMemory);
        MemoryTable memory = state.Table(0, MemoryResource.Memory);
        // 8Gi − 512Mi reserved − 512Mi of 2Mi pages − 2Gi of 1Gi pages.
        Assert.Equal(8 * Gi, memory.Total);
        Assert.Equal(512 * Mi, memory.SystemReserved);
        Assert.Equal(5 * Gi, memory.Allocatable);
        Assert.Equal(5 * Gi, memory.Free);
        Assert.Equal(0, memory.Reserved);
        MemoryTable huge2 = state.Table(0, MemoryResource.Hugepages2Mi);
        Assert.Equal(512 * Mi, huge2.Total);
        Assert.Equal(512 * Mi, huge2.Allocatable);
        MemoryTable huge1 = state.Table(0, MemoryResource.Hugepages1Gi);
        Assert.Equal(2 * Gi, huge1.Total);
        Assert.Equal(0b1UL, state.Cells(0));
        Assert.Equal(0, state.Assignments(0));
    }

    [Fact]
    public void Reserved_memory_must_equal_the_node_allocatable_reservation()
    {
        // §4.1 example: kubeReserved 16Gi, eviction 100Mi → reservedMemory must total 16484Mi.
        var nodes = new[] { new NumaMemoryInfo(0, 64 * Gi), new NumaMemoryInfo(1, 64 * Gi) };
        MemoryAmounts reservation = ReservedMemoryValidation.NodeAllocatableReservation(new MemoryAmounts(16 * Gi), default, 100 * Mi);
        Assert.Equal(16484 * Mi, reservation.Memory);

        var good = new[] { new ReservedMemoryNode(0, new MemoryAmounts(16384 * Mi)), new ReservedMemoryNode(1, new MemoryAmounts(100 * Mi)) };
        Assert.Empty(ReservedMemoryValidation.Problems(nodes, good, reservation, staticPolicy: true));

        var bad = new[] { new ReservedMemoryNode(0, new MemoryAmounts(16 * Gi)) };
        string problem = Assert.Single(ReservedMemoryValidation.Problems(nodes, bad, reservation, staticPolicy: true));
        Assert.Equal("the total amount \"16Gi\" of type \"memory\" is not equal to the value \"16484Mi\" determined by Node Allocatable feature", problem);
    }

    [Fact]
    public void Reserved_memory_problems_name_missing_nodes_hugepages_and_the_static_rule()
    {
        var nodes = new[] { new NumaMemoryInfo(0, 8 * Gi, [new HugePageInfo(2048, 10)]) };
        var reserved = new[] { new ReservedMemoryNode(3, new MemoryAmounts(Gi)), new ReservedMemoryNode(0, new MemoryAmounts(0, 2 * Mi)) };
        IReadOnlyList<string> problems = ReservedMemoryValidation.Problems(nodes, reserved, new MemoryAmounts(0, 4 * Mi), staticPolicy: true);
        Assert.Contains("the reserved memory configuration references a NUMA node 3 that does not exist on this machine", problems);
        Assert.Contains("the total amount \"2Mi\" of type \"hugepages-2Mi\" is not equal to the value \"4Mi\" determined by Node Allocatable feature", problems);
        Assert.Contains("you should specify the system reserved memory", problems);
        Assert.Equal(3, problems.Count);
    }

    [Fact]
    public void Reserving_more_than_the_node_has_is_a_problem_and_refused_by_the_state()
    {
        var nodes = new[] { new NumaMemoryInfo(0, 2 * Gi) };
        var reserved = new[] { new ReservedMemoryNode(0, new MemoryAmounts(3 * Gi)) };
        Assert.Contains(ReservedMemoryValidation.Problems(nodes, reserved, new MemoryAmounts(3 * Gi), staticPolicy: true),
            p => p.Contains("exceeds what the node has", StringComparison.Ordinal));
        var problems = new List<string>();
        Assert.Null(MemoryMachineState.TryCreate(nodes, reserved, problems));
        Assert.Equal("NUMA node 0: reserved 3221225472 bytes of memory but the node has only 2147483648", Assert.Single(problems));
    }

    [Theory]
    [InlineData(0b1UL, "0")]
    [InlineData(0b11UL, "0-1")]
    [InlineData(0b1011UL, "0-1,3")]
    [InlineData(0b10100UL, "2,4")]
    [InlineData(0UL, "")]
    [InlineData(1UL << 63, "63")]
    public void Numa_masks_format_as_node_lists(ulong mask, string expected) => Assert.Equal(expected, NumaNodeList.Format(mask));
}
