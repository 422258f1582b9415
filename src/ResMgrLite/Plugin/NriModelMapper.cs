using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.Model;
using ResMgrLite.Nri.Api;

namespace ResMgrLite.Plugin;

/// <summary>
/// NRI objects → the engine's pod and container model. Every rule here is a row of
/// docs/inputs.md; keep the two in step.
/// </summary>
internal static class NriModelMapper
{
    public const string RolesAnnotation = "resmgrlite.io/container-roles";
    public const string PodResourcesAnnotation = "resmgrlite.io/pod-resources";
    public const string OptOutAnnotation = "resmgrlite.io/opt-out";

    /// <summary>The kubelet's oom_score_adj for Guaranteed and BestEffort containers (spec §8).</summary>
    private const int GuaranteedOomScoreAdj = -997;
    private const int BestEffortOomScoreAdj = 1000;

    public static bool IsOptedOut(PodSandbox pod) =>
        pod.Annotations.TryGetValue(OptOutAnnotation, out string? value) &&
        string.Equals(value.Trim(), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Builds the pod model (without containers). Throws <see cref="FormatException"/> on a malformed annotation.</summary>
    public static PodSpec ToPodSpec(PodSandbox pod, Container? anyContainer)
    {
        ContainerResources? podLevel = PodLevelResources(pod);
        QosClass qos = podLevel is { HasAny: true } budget
            ? QosOfBudget(budget)
            : QosFromCgroupParent(pod.Linux?.CgroupParent, pod.Uid) ?? QosFromOomScore(anyContainer);
        return new PodSpec(pod.Uid.Length > 0 ? pod.Uid : pod.Id, pod.Name, pod.Namespace, qos, podLevel);
    }

    /// <param name="memoryCapacityBytes">The machine's memory (MemTotal), for the oom_score_adj inversion.</param>
    /// <param name="problem">Set when the memory-request annotation was malformed and another source was used.</param>
    public static ContainerSpec ToContainerSpec(PodSandbox pod, Container container, QosClass podQos, long memoryCapacityBytes, out string? problem)
    {
        ContainerRole role = RoleOf(pod, container.Name);
        LinuxResources? resources = container.Linux?.Resources;
        long cpuRequest = CpuRequestMilli(resources?.Cpu);
        long cpuLimit = CpuLimitMilli(resources?.Cpu);
        long memoryLimit = resources?.Memory?.Limit?.Value is long limit && limit > 0 ? limit : 0;
        // CRI carries no memory request: annotation, Guaranteed = limit, Burstable from oom_score_adj (docs/inputs-memory.md).
        string? annotation = pod.Annotations.TryGetValue(MemoryRequestInference.AnnotationKey, out string? text) ? text : null;
        long memoryRequest = MemoryRequestInference.Infer(podQos, container.Name, annotation, container.Linux?.OomScoreAdj?.Value,
            memoryLimit, memoryCapacityBytes, out problem).Bytes;
        return new ContainerSpec(container.Name, role, new ContainerResources(cpuRequest, cpuLimit, memoryRequest, memoryLimit));
    }

    /// <summary>
    /// CPU request from shares: the kubelet writes max(2, milli·1024/1000); ceil(shares·1000/1024)
    /// returns the original millicores for every request of at least 2m. Shares ≤ 2 mean no request.
    /// </summary>
    public static long CpuRequestMilli(LinuxCPU? cpu)
    {
        if (cpu?.Shares?.Value is not ulong shares || shares <= 2)
        {
            return 0;
        }
        return (long)((shares * 1000 + 1023) / 1024);
    }

    /// <summary>CPU limit from quota/period; no limit when the quota is unset or not positive.</summary>
    public static long CpuLimitMilli(LinuxCPU? cpu)
    {
        if (cpu?.Quota?.Value is not long quota || quota <= 0)
        {
            return 0;
        }
        ulong period = cpu.Period?.Value is ulong p && p > 0 ? p : 100_000;
        return quota * 1000 / (long)period;
    }

    /// <summary>QoS from the kubelet's pod cgroup naming (cgroupfs or systemd driver); null when neither matches.</summary>
    public static QosClass? QosFromCgroupParent(string? cgroupParent, string podUid)
    {
        if (string.IsNullOrEmpty(cgroupParent))
        {
            return null;
        }
        string parent = cgroupParent.TrimEnd('/');
        string leaf = parent[(parent.LastIndexOf('/') + 1)..];
        // systemd: kubepods-burstable-pod<uid_with_underscores>.slice
        if (leaf.EndsWith(".slice", StringComparison.Ordinal))
        {
            if (leaf.StartsWith("kubepods-burstable-pod", StringComparison.Ordinal))
            {
                return QosClass.Burstable;
            }
            if (leaf.StartsWith("kubepods-besteffort-pod", StringComparison.Ordinal))
            {
                return QosClass.BestEffort;
            }
            if (leaf.StartsWith("kubepods-pod", StringComparison.Ordinal))
            {
                return QosClass.Guaranteed;
            }
            return null;
        }
        // cgroupfs: …/kubepods/burstable/pod<uid>, …/kubepods/besteffort/pod<uid>, …/kubepods/pod<uid>
        if (!leaf.StartsWith("pod", StringComparison.Ordinal))
        {
            return null;
        }
        string rest = parent[..Math.Max(0, parent.LastIndexOf('/'))];
        string qosDir = rest[(rest.LastIndexOf('/') + 1)..];
        return qosDir switch
        {
            "burstable" => QosClass.Burstable,
            "besteffort" => QosClass.BestEffort,
            "kubepods" => QosClass.Guaranteed,
            _ => null,
        };
    }

    private static QosClass QosFromOomScore(Container? container)
    {
        long? oom = container?.Linux?.OomScoreAdj?.Value;
        return oom switch
        {
            GuaranteedOomScoreAdj => QosClass.Guaranteed,
            BestEffortOomScoreAdj => QosClass.BestEffort,
            _ => QosClass.Burstable,
        };
    }

    /// <summary>§8 applied to the pod-level budget alone.</summary>
    private static QosClass QosOfBudget(ContainerResources budget)
    {
        bool limitsBoth = budget.CpuLimitMilli > 0 && budget.MemoryLimitBytes > 0;
        if (limitsBoth && budget.CpuRequestMilli == budget.CpuLimitMilli && budget.MemoryRequestBytes == budget.MemoryLimitBytes)
        {
            return QosClass.Guaranteed;
        }
        return budget.HasAny ? QosClass.Burstable : QosClass.BestEffort;
    }

    /// <summary>
    /// The KEP-5526 pod-level budget, declared with the <c>resmgrlite.io/pod-resources</c> annotation.
    /// NRI's <c>LinuxPodSandbox.pod_resources</c> is not used: the kubelet fills it for every pod with the
    /// sum of its containers (sandbox sizing), so it cannot tell a pod with <c>spec.resources</c> apart.
    /// </summary>
    public static ContainerResources? PodLevelResources(PodSandbox pod) =>
        pod.Annotations.TryGetValue(PodResourcesAnnotation, out string? annotation) ? ParsePodResources(annotation) : null;

    /// <summary>
    /// <c>cpu=4,memory=8Gi</c> (request = limit) or
    /// <c>requests.cpu=2,limits.cpu=4,requests.memory=1Gi,limits.memory=2Gi</c>.
    /// </summary>
    public static ContainerResources ParsePodResources(string text)
    {
        long cpuRequest = 0, cpuLimit = 0, memoryRequest = 0, memoryLimit = 0;
        foreach (string item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"annotation {PodResourcesAnnotation}: '{item}' is not name=quantity");
            }
            string name = item[..eq].Trim();
            string value = item[(eq + 1)..].Trim();
            switch (name)
            {
                case "cpu":
                    cpuRequest = cpuLimit = Quantity.ParseMilliCpu(value);
                    break;
                case "requests.cpu":
                    cpuRequest = Quantity.ParseMilliCpu(value);
                    break;
                case "limits.cpu":
                    cpuLimit = Quantity.ParseMilliCpu(value);
                    break;
                case "memory":
                    memoryRequest = memoryLimit = Quantity.ParseBytes(value);
                    break;
                case "requests.memory":
                    memoryRequest = Quantity.ParseBytes(value);
                    break;
                case "limits.memory":
                    memoryLimit = Quantity.ParseBytes(value);
                    break;
                default:
                    throw new FormatException($"annotation {PodResourcesAnnotation}: unknown resource '{name}' (cpu, memory, requests.cpu, limits.cpu, requests.memory, limits.memory)");
            }
        }
        // API defaulting: a request defaults to the limit of the same resource (spec §8).
        if (cpuRequest == 0)
        {
            cpuRequest = cpuLimit;
        }
        if (memoryRequest == 0)
        {
            memoryRequest = memoryLimit;
        }
        return new ContainerResources(cpuRequest, cpuLimit, memoryRequest, memoryLimit);
    }

    /// <summary>Role from <c>resmgrlite.io/container-roles: "init1=init,proxy=sidecar"</c>; app otherwise.</summary>
    public static ContainerRole RoleOf(PodSandbox pod, string containerName)
    {
        if (!pod.Annotations.TryGetValue(RolesAnnotation, out string? roles))
        {
            return ContainerRole.App;
        }
        foreach (string item in roles.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !string.Equals(item[..eq].Trim(), containerName, StringComparison.Ordinal))
            {
                continue;
            }
            return item[(eq + 1)..].Trim() switch
            {
                "init" => ContainerRole.Init,
                "sidecar" => ContainerRole.Sidecar,
                "app" => ContainerRole.App,
                string other => throw new FormatException($"annotation {RolesAnnotation}: role '{other}' of container {containerName} is not init, sidecar or app"),
            };
        }
        return ContainerRole.App;
    }

    /// <summary>Kubernetes quantities in annotations, through the configuration layer's exact parser.</summary>
    internal static class Quantity
    {
        public static long ParseMilliCpu(string text) => Whole(text, 1000);

        public static long ParseBytes(string text) => Whole(text, 1);

        private static long Whole(string text, int scale)
        {
            if (!Config.Validation.Quantity.TryParse(text, out decimal value) || value < 0 ||
                !Config.Validation.Quantity.TryToInt64Ceiling(value * scale, out long result))
            {
                throw new FormatException($"'{text}' is not a Kubernetes quantity (e.g. 500m, 2, 256Mi, 1Gi)");
            }
            return result;
        }
    }
}
