using ResMgrLite.CriTool.Kube;

namespace ResMgrLite.CriTool.Demo;

/// <summary>
/// The demo set: one pod per QoS class. The Guaranteed pod asks for whole CPUs: min(2, cpus − 1),
/// because one CPU stays reserved for the system and a 2-CPU machine has only one left to give.
/// </summary>
internal static class DemoPods
{
    public static int GuaranteedCpuCount(int onlineCpus) => Math.Max(1, Math.Min(2, onlineCpus - 1));

    public static IReadOnlyList<PodSpec> Create(int guaranteedCpus)
    {
        var guaranteed = new PodSpec(
            "demo-guaranteed",
            [new ContainerSpec("app", new ResourceAmounts(guaranteedCpus * 1000L, ResourceAmounts.Mebibytes(128)), new ResourceAmounts(guaranteedCpus * 1000L, ResourceAmounts.Mebibytes(128)))]);
        var burstable = new PodSpec(
            "demo-burstable",
            [new ContainerSpec("web", new ResourceAmounts(250, ResourceAmounts.Mebibytes(64)), new ResourceAmounts(500, ResourceAmounts.Mebibytes(128)))]);
        var bestEffort = new PodSpec(
            "demo-besteffort",
            [new ContainerSpec("batch", ResourceAmounts.None, ResourceAmounts.None)]);
        return [guaranteed, burstable, bestEffort];
    }
}
