using ResMgrLite.Engine.Memory;
using static ResMgrLite.Engine.Tests.Memory.MemoryTestMachines;

namespace ResMgrLite.Engine.Tests.Memory;

/// <summary>Initial machine state and reserved-memory validation (docs/kubelet-rules.md §4.1, §4.2).</summary>
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
    public void Reserving_more_than_the_node_has_is_refused_by_the_state_in_words()
    {
        // The configuration's own check (Config/Validation/SettingsBuilder) reports it with its place first.
        var nodes = new[] { new NumaMemoryInfo(0, 2 * Gi) };
        var reserved = new[] { new ReservedMemoryNode(0, new MemoryAmounts(3 * Gi)) };
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
