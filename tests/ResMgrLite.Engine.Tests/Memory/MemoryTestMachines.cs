using ResMgrLite.Engine.Memory;

namespace ResMgrLite.Engine.Tests.Memory;

/// <summary>Small machines for the memory manager tests.</summary>
internal static class MemoryTestMachines
{
    public const long Mi = 1L << 20;
    public const long Gi = 1L << 30;

    /// <summary>
    /// Two NUMA nodes of 16Gi MemTotal, 1Gi reserved each and 512 × 2Mi hugepages (1Gi) each:
    /// memory allocatable 14Gi per node, hugepages-2Mi allocatable 1Gi per node.
    /// </summary>
    public static MemoryManagerOptions TwoNodes(bool podLevel = true) => new()
    {
        Nodes =
        [
            new NumaMemoryInfo(0, 16 * Gi, [new HugePageInfo(2048, 512)]),
            new NumaMemoryInfo(1, 16 * Gi, [new HugePageInfo(2048, 512)]),
        ],
        ReservedMemory = [new ReservedMemoryNode(0, new MemoryAmounts(Gi)), new ReservedMemoryNode(1, new MemoryAmounts(Gi))],
        PodLevelResourceManagers = podLevel,
    };

    public static MemoryManagerOptions OneNode() => new()
    {
        Nodes = [new NumaMemoryInfo(0, 8 * Gi, [new HugePageInfo(2048, 256), new HugePageInfo(1024 * 1024, 2)])],
        ReservedMemory = [new ReservedMemoryNode(0, new MemoryAmounts(512 * Mi))],
    };
}
