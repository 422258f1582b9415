using ResMgrLite.Engine;

namespace ResMgrLite.Config.Tests.Configuration;

/// <summary>Machine facts fixtures shaped like the project's test VM (spec/testbed-facts.md).</summary>
internal static class Machines
{
    private const long Gi = 1L << 30;

    /// <summary>8 CPUs, two NUMA nodes of 2 GiB, 2 MiB hugepages: 16 on node 0, none on node 1.</summary>
    public static MachineFacts TwoNodes { get; } = new(
        CpuSet.Range(0, 7),
        [
            new NumaNodeFacts(0, 2 * Gi, new Dictionary<long, long> { [2L << 20] = 16 }),
            new NumaNodeFacts(1, 2 * Gi, new Dictionary<long, long> { [2L << 20] = 0 }),
        ]);

    /// <summary>Two CPUs, one NUMA node of 4 GiB (the CI host).</summary>
    public static MachineFacts Small { get; } = new(CpuSet.Range(0, 1), [new NumaNodeFacts(0, 4 * Gi, new Dictionary<long, long>())]);
}
