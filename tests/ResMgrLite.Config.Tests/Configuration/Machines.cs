using ResMgrLite.Engine;
using ResMgrLite.Engine.Memory;

namespace ResMgrLite.Config.Tests.Configuration;

/// <summary>Machine facts fixtures shaped like the project's test VM (spec/testbed-facts.md).</summary>
internal static class Machines
{
    private const long Gi = 1L << 30;

    /// <summary>8 CPUs, two NUMA nodes of 2 GiB, 2 MiB hugepages: 16 on node 0, none on node 1.</summary>
    public static MachineFacts TwoNodes { get; } = new(
        CpuSet.Range(0, 7),
        [
            new NumaMemoryInfo(0, 2 * Gi, [new HugePageInfo(2048, 16)]),
            new NumaMemoryInfo(1, 2 * Gi, [new HugePageInfo(2048, 0)]),
        ]);

    /// <summary>Two CPUs, one NUMA node of 4 GiB (the CI host).</summary>
    public static MachineFacts Small { get; } = new(CpuSet.Range(0, 1), [new NumaMemoryInfo(0, 4 * Gi)]);
}
