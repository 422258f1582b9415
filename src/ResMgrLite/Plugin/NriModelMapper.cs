using System.Globalization;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Host.Files;
using ResMgrLite.Engine.Model;
using ResMgrLite.Nri.Api;

namespace ResMgrLite.Plugin;

/// <summary>
/// NRI objects → the engine's pod and container model. Every rule here is a row of
/// docs/inputs.md; keep the two in step.
/// </summary>
/// <remarks>
/// Every number from the runtime is checked against what the kubelet (and the kernel behind it)
/// can produce before any arithmetic: a value no kubelet sends refuses the container with a
/// <see cref="FormatException"/> naming the field and the value; where the kubelet or the kernel
/// clamps, the value is clamped the same way. All arithmetic on checked values fits in 64 bits.
/// </remarks>
internal static class NriModelMapper
{
    public const string RolesAnnotation = "resmgrlite.io/container-roles";
    public const string PodResourcesAnnotation = "resmgrlite.io/pod-resources";
    public const string OptOutAnnotation = "resmgrlite.io/opt-out";

    /// <summary>The kubelet's oom_score_adj for Guaranteed and BestEffort containers (docs/kubelet-rules.md §8).</summary>
    private const int GuaranteedOomScoreAdj = -997;
    private const int BestEffortOomScoreAdj = 1000;

    /// <summary>The kubelet's MaxShares, the kernel's MAX_SHARES (2^18): the kubelet caps CPU requests of 256 CPUs and more there.</summary>
    public const ulong MaxShares = 262_144;

    /// <summary>The kubelet's cpuCFSQuotaPeriod range, which is also the kernel's (1 ms to 1 s).</summary>
    public const ulong MinPeriodMicros = 1_000;
    public const ulong MaxPeriodMicros = 1_000_000;
    public const ulong DefaultPeriodMicros = 100_000;

    /// <summary>The kubelet's MinQuotaPeriod: it raises smaller quotas to 1 ms.</summary>
    public const long MinQuotaMicros = 1_000;

    /// <summary>The kernel's largest CFS quota, max_cfs_runtime (2^44 − 1 µs, about 203 days); larger ones fail in the runtime anyway.</summary>
    public const long MaxQuotaMicros = (1L << 44) - 1;

    /// <summary>The kernel's oom_score_adj range.</summary>
    public const long MinOomScoreAdj = -1000;
    public const long MaxOomScoreAdj = 1000;

    /// <summary>
    /// Byte amounts above 8 PiB (2^53) are taken as 8 PiB: more than any machine has, so a limit that
    /// large means the same for placement, and sums over a pod's containers stay exact.
    /// </summary>
    public const long MaxBytes = 1L << 53;

    /// <summary>The largest CPU amount a pod-level annotation may declare: int.MaxValue millicores (about 2 million CPUs).</summary>
    public const long MaxAnnotatedMilliCpu = int.MaxValue;

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
        string uid = pod.Uid.Length > 0 ? pod.Uid : pod.Id;
        // The UID names the pod's cgroup and its state entries: a path in it is never a kubelet's UUID.
        if (uid.Contains('/', StringComparison.Ordinal) || uid is "." or ".." || uid.AsSpan().ContainsAnyInRange('\u0000', '\u001f') || uid.AsSpan().ContainsAnyInRange('\u007f', '\u009f'))
        {
            throw new FormatException($"pod uid \"{ErrorText.Quote(uid)}\" holds '/' or control characters, or is a dot path: it cannot name a cgroup; the pod is refused (the kubelet sends UUIDs)");
        }
        return new PodSpec(uid, pod.Name, pod.Namespace, qos, podLevel);
    }

    /// <param name="memoryCapacityBytes">The machine's memory (MemTotal), for the oom_score_adj inversion.</param>
    /// <param name="problem">Set when the memory-request annotation was malformed and another source was used.</param>
    public static ContainerSpec ToContainerSpec(PodSandbox pod, Container container, QosClass podQos, long memoryCapacityBytes, out string? problem)
    {
        ContainerRole role = RoleOf(pod, container.Name);
        LinuxResources? resources = container.Linux?.Resources;
        long cpuRequest = CpuRequestMilli(resources?.Cpu);
        long cpuLimit = CpuLimitMilli(resources?.Cpu);
        long memoryLimit = MemoryLimitBytes(resources?.Memory);
        (long hugepages2Mi, long hugepages1Gi) = HugepageLimits(resources);
        long? oomScoreAdj = container.Linux?.OomScoreAdj?.Value;
        if (oomScoreAdj is < MinOomScoreAdj or > MaxOomScoreAdj)
        {
            throw OutOfRange("oom_score_adj", oomScoreAdj.Value.ToString(CultureInfo.InvariantCulture), "outside -1000..1000, the kernel's range");
        }
        // CRI carries no memory request: annotation, Guaranteed = limit, Burstable from oom_score_adj (docs/inputs-memory.md).
        string? annotation = pod.Annotations.TryGetValue(MemoryRequestInference.AnnotationKey, out string? text) ? text : null;
        long memoryRequest = Math.Min(MaxBytes, MemoryRequestInference.Infer(podQos, container.Name, annotation, oomScoreAdj,
            memoryLimit, memoryCapacityBytes, out problem).Bytes);
        return new ContainerSpec(container.Name, role, new ContainerResources(cpuRequest, cpuLimit, memoryRequest, memoryLimit, hugepages2Mi, hugepages1Gi));
    }

    /// <summary>
    /// CPU request from shares: the kubelet writes max(2, milli·1024/1000) capped at 262144;
    /// ceil(shares·1000/1024) returns the original millicores for every request of at least 2m.
    /// Shares ≤ 2 mean no request; the kubelet never sends more than 262144.
    /// </summary>
    public static long CpuRequestMilli(LinuxCPU? cpu)
    {
        if (cpu?.Shares?.Value is not ulong shares || shares <= 2)
        {
            return 0;
        }
        if (shares > MaxShares)
        {
            throw OutOfRange("cpu shares", shares.ToString(CultureInfo.InvariantCulture), $"above {MaxShares}, the most the kubelet sends (it caps requests of 256 CPUs and more there)");
        }
        // shares ≤ 2^18: the product fits easily.
        return (long)((shares * 1000 + 1023) / 1024);
    }

    /// <summary>
    /// CPU limit from quota/period: the kubelet writes quota = max(1000, ⌊milli·period/1000⌋), and
    /// ⌈quota·1000/period⌉ returns the millicores exactly for every period of at least 1 ms.
    /// No limit when the quota is unset, 0 or negative (the kernel reads any negative quota as none).
    /// </summary>
    public static long CpuLimitMilli(LinuxCPU? cpu)
    {
        ulong period = DefaultPeriodMicros;
        if (cpu?.Period?.Value is ulong p && p != 0)
        {
            if (p is < MinPeriodMicros or > MaxPeriodMicros)
            {
                throw OutOfRange("cpu period", p.ToString(CultureInfo.InvariantCulture), "outside 1000..1000000 µs, the kubelet's (and the kernel's) CFS period range");
            }
            period = p;
        }
        if (cpu?.Quota?.Value is not long quota || quota <= 0)
        {
            return 0;
        }
        if (quota > MaxQuotaMicros)
        {
            throw OutOfRange("cpu quota", quota.ToString(CultureInfo.InvariantCulture), $"above {MaxQuotaMicros} µs, the kernel's largest CFS quota");
        }
        // Like the kubelet's MinQuotaPeriod; quota·1000 < 2^54, period ≤ 10^6: no overflow.
        quota = Math.Max(quota, MinQuotaMicros);
        return ((quota * 1000) + (long)period - 1) / (long)period;
    }

    /// <summary>Memory limit in bytes: 0 (unset) and -1 (OCI "unlimited") mean none; other negatives are refused; above 8 PiB counts as 8 PiB.</summary>
    public static long MemoryLimitBytes(LinuxMemory? memory)
    {
        if (memory?.Limit?.Value is not long limit || limit is 0 or -1)
        {
            return 0;
        }
        if (limit < 0)
        {
            throw OutOfRange("memory limit", limit.ToString(CultureInfo.InvariantCulture), "negative (only -1, unlimited, has a meaning)");
        }
        return Math.Min(limit, MaxBytes);
    }

    /// <summary>
    /// Hugepage requests (request = limit by API validation; docs/inputs-memory.md) from the CRI
    /// page sizes the kubelet names: "2MB" and "1GB". The kubelet lists every size the machine has,
    /// 0 for those not requested; other sizes are not managed.
    /// </summary>
    public static (long Hugepages2Mi, long Hugepages1Gi) HugepageLimits(LinuxResources? resources)
    {
        long twoMi = 0, oneGi = 0;
        if (resources is null)
        {
            return (0, 0);
        }
        foreach (HugepageLimit limit in resources.HugepageLimits)
        {
            long bytes = (long)Math.Min(limit.Limit, (ulong)MaxBytes);
            switch (limit.PageSize)
            {
                case "2MB":
                    twoMi = bytes;
                    break;
                case "1GB":
                    oneGi = bytes;
                    break;
            }
        }
        return (twoMi, oneGi);
    }

    /// <summary>A number from the runtime no kubelet sends: the container is refused with the field and the value.</summary>
    private static FormatException OutOfRange(string field, string value, string why) =>
        new($"{field} {value} is {why}; the container is refused (the kubelet never sends this: check the client that created it)");

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
    private static QosClass QosOfBudget(ContainerResources budget) => PodQos.Of([budget]);

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
                throw new FormatException($"annotation {PodResourcesAnnotation}: '{ErrorText.Quote(item)}' is not name=quantity");
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
                    throw new FormatException($"annotation {PodResourcesAnnotation}: unknown resource '{ErrorText.Quote(name)}' (cpu, memory, requests.cpu, limits.cpu, requests.memory, limits.memory)");
            }
        }
        // API defaulting: a request defaults to the limit of the same resource (docs/kubelet-rules.md §8).
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
                string other => throw new FormatException($"annotation {RolesAnnotation}: role '{ErrorText.Quote(other)}' of container {ErrorText.Quote(containerName)} is not init, sidecar or app"),
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
            long max = scale == 1 ? MaxBytes : MaxAnnotatedMilliCpu;
            if (!Config.Validation.Quantity.TryParse(text, out decimal value) || value < 0)
            {
                throw new FormatException($"'{ErrorText.Quote(text)}' is not a Kubernetes quantity (e.g. 500m, 2, 256Mi, 1Gi)");
            }
            // Compared before scaling: value · scale could leave the decimal range.
            if (value > (decimal)max / scale || !Config.Validation.Quantity.TryToInt64Ceiling(value * scale, out long result))
            {
                throw new FormatException($"'{ErrorText.Quote(text)}' is larger than {(scale == 1 ? "8 PiB" : "2147483 CPUs")}, more than any machine has");
            }
            return result;
        }
    }
}
