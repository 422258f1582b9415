using ResMgrLite.Engine.MemoryQos;
using ResMgrLite.Engine.Model;
using ResMgrLite.Nri.Api;

namespace ResMgrLite.Plugin;

/// <summary>
/// A pod's budget from the runtime's <c>LinuxResources</c> (UpdatePodSandbox, or the creation-time
/// <c>pod_resources</c>), with the same range-checked formulas as containers (<see cref="NriModelMapper"/>):
/// CPU request from shares, limit from quota/period, memory limit. CRI carries no memory request:
/// a Guaranteed pod's equals its limit, any other keeps the one in force (never above the new limit).
/// </summary>
internal static class PodBudgetMapping
{
    /// <summary>The budget <paramref name="resources"/> describe. Throws <see cref="FormatException"/> on a value no kubelet sends.</summary>
    public static ContainerResources FromResources(LinuxResources? resources, QosClass qos, in ContainerResources inForce)
    {
        long cpuRequest = NriModelMapper.CpuRequestMilli(resources?.Cpu);
        long cpuLimit = NriModelMapper.CpuLimitMilli(resources?.Cpu);
        long memoryLimit = NriModelMapper.MemoryLimitBytes(resources?.Memory);
        long memoryRequest = qos == QosClass.Guaranteed ? memoryLimit
            : memoryLimit > 0 ? Math.Min(inForce.MemoryRequestBytes, memoryLimit)
            : inForce.MemoryRequestBytes;
        return new ContainerResources(cpuRequest, cpuLimit, memoryRequest, memoryLimit, inForce.Hugepages2MiBytes, inForce.Hugepages1GiBytes);
    }

    /// <summary>
    /// The budget the runtime shows for the pod (creation time, forever): its pod-level resources
    /// when it has them, else <c>pod_resources</c> with the containers' memory requests.
    /// </summary>
    public static ContainerResources CreationBudget(PodSandbox sandbox, PodSpec pod)
    {
        // The annotation, not the model: after a restart the model already holds the budget in force.
        if (pod.HasPodLevelResources && NriModelMapper.PodLevelResources(sandbox) is { HasAny: true } podLevel)
        {
            return podLevel;
        }
        var known = new ContainerResources(0, 0, PodMemoryRequest.Of(pod), 0);
        return FromResources(sandbox.Linux?.PodResources, pod.Qos, known);
    }

    /// <summary>The CFS period the runtime uses for the pod (the kubelet's default when unset).</summary>
    public static ulong PeriodOf(LinuxResources? resources) =>
        resources?.Cpu?.Period?.Value is ulong p and >= NriModelMapper.MinPeriodMicros and <= NriModelMapper.MaxPeriodMicros ? p : NriModelMapper.DefaultPeriodMicros;

    public static string Describe(in ContainerResources b) =>
        $"cpu {Milli(b.CpuRequestMilli)}/{Milli(b.CpuLimitMilli)}, memory {Bytes(b.MemoryRequestBytes)}/{Bytes(b.MemoryLimitBytes)}";

    private static string Milli(long milli) => milli == 0 ? "-" : milli % 1000 == 0 ? $"{milli / 1000}" : $"{milli}m";

    private static string Bytes(long bytes) =>
        bytes == 0 ? "-" : bytes % (1L << 30) == 0 ? $"{bytes >> 30}Gi" : bytes % (1L << 20) == 0 ? $"{bytes >> 20}Mi" : $"{bytes}";
}
