using System.Globalization;
using ResMgrLite.CriTool.Kube;

namespace ResMgrLite.CriTool.Demo;

/// <summary>
/// The demo set: one pod per QoS class. The Guaranteed pod asks for whole CPUs: min(2, cpus − 1),
/// because one CPU stays reserved for the system and a 2-CPU machine has only one left to give.
/// </summary>
internal static class DemoPods
{
    public static int GuaranteedCpuCount(int onlineCpus) => Math.Max(1, Math.Min(2, onlineCpus - 1));

    /// <summary>The exclusive CPUs the demo expects for the Guaranteed pod: the highest ids, CPU 0 staying shared.</summary>
    public static string ExclusiveCpuList(int onlineCpus, int count)
    {
        var first = Math.Max(0, onlineCpus - count);
        var last = onlineCpus - 1;
        return first == last
            ? first.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{first}-{last}");
    }

    /// <param name="cpusetHint">
    /// When not null, the Guaranteed pod carries the resmgrlite.io/cpuset annotation: the plugin's
    /// interim rule until the resource engine places exclusive CPUs by itself.
    /// </param>
    public static IReadOnlyList<PodSpec> Create(int guaranteedCpus, string? cpusetHint)
    {
        var guaranteedAnnotations = new Dictionary<string, string>();
        if (cpusetHint is not null)
        {
            guaranteedAnnotations[KubernetesKeys.ResMgrLiteCpuset] = cpusetHint;
        }

        var guaranteed = new PodSpec(
            "demo-guaranteed",
            [new ContainerSpec("app", new ResourceAmounts(guaranteedCpus * 1000L, ResourceAmounts.Mebibytes(128)), new ResourceAmounts(guaranteedCpus * 1000L, ResourceAmounts.Mebibytes(128)))],
            guaranteedAnnotations);
        var burstable = new PodSpec(
            "demo-burstable",
            [new ContainerSpec("web", new ResourceAmounts(250, ResourceAmounts.Mebibytes(64)), new ResourceAmounts(500, ResourceAmounts.Mebibytes(128)))]);
        var bestEffort = new PodSpec(
            "demo-besteffort",
            [new ContainerSpec("batch", ResourceAmounts.None, ResourceAmounts.None)]);
        return [guaranteed, burstable, bestEffort];
    }
}
