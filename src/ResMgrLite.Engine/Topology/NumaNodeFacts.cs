namespace ResMgrLite.Engine.Topology;

/// <summary>What sysfs says about one <c>nodeN</c> directory; input of <see cref="MachineTopologyBuilder"/>.</summary>
/// <param name="Id">Node id (digits of the directory name).</param>
/// <param name="Cpus">CPUs linked from the node directory (<c>nodeN/cpuM</c>), online or not.</param>
/// <param name="MemoryTotalBytes"><c>MemTotal</c> in bytes; 0 when unknown.</param>
/// <param name="MemoryFreeBytes"><c>MemFree</c> in bytes; 0 when unknown.</param>
/// <param name="HugePages">Huge page pools in any order.</param>
/// <param name="Distances">The <c>distance</c> row (destination nodes in ascending id order), or empty.</param>
internal sealed record NumaNodeFacts(
    int Id,
    CpuSet Cpus,
    long MemoryTotalBytes,
    long MemoryFreeBytes,
    IReadOnlyList<HugePagePool> HugePages,
    IReadOnlyList<int> Distances);
