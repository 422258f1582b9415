using System.Globalization;
using ResMgrLite.Engine.Model;
using ResMgrLite.Nri.Api;
using ResMgrLite.Plugin;

namespace ResMgrLite.Simulate;

/// <summary>
/// What the plugin would read from a pod's annotations (through the plugin's own readers), compared
/// with what the pod declares: the simulation follows the declaration and notes every annotation a
/// node needs for the plugin to see the same pod (docs/inputs.md).
/// </summary>
internal sealed class AnnotationAdvice
{
    private readonly PodSandbox _asThePluginSeesIt = new();
    private readonly string _where;

    public AnnotationAdvice(Dictionary<string, string> annotations, string where)
    {
        foreach (KeyValuePair<string, string> annotation in annotations)
        {
            _asThePluginSeesIt.Annotations.Add(new KeyValue { Key = annotation.Key, Value = annotation.Value });
        }
        _where = where;
    }

    public List<string> Notes { get; } = [];

    public bool OptedOut => NriModelMapper.IsOptedOut(_asThePluginSeesIt);

    public void Note(string text) => Notes.Add(text);

    /// <summary>The budget to simulate: <c>spec.resources</c>, else the annotation the plugin reads it from.</summary>
    public ContainerResources? PodLevelBudget(ContainerResources? declared)
    {
        ContainerResources? annotated = Plugin(NriModelMapper.PodLevelResources);
        if (declared is { HasAny: true } budget)
        {
            string wanted = PodResourcesText(budget);
            if (annotated is null)
            {
                Note($"the plugin sees a pod-level budget only through an annotation: add {NriModelMapper.PodResourcesAnnotation}: \"{wanted}\"");
            }
            else if (annotated != budget)
            {
                Note($"annotation {NriModelMapper.PodResourcesAnnotation} differs from spec.resources and the plugin would follow the annotation: make it \"{wanted}\"");
            }
            return budget;
        }
        if (annotated is { HasAny: true })
        {
            Note($"the pod-level budget comes from annotation {NriModelMapper.PodResourcesAnnotation} alone: the kubelet does not know it (no spec.resources), so the QoS class and the pod cgroup's limits do not follow it; add spec.resources to match");
            return annotated;
        }
        return declared;
    }

    /// <summary>CRI does not say which containers are init containers or sidecars: the plugin reads the roles annotation.</summary>
    public void CheckRoles(IReadOnlyList<ContainerSpec> containers)
    {
        bool differs = false;
        foreach (ContainerSpec container in containers)
        {
            differs |= Plugin(sandbox => NriModelMapper.RoleOf(sandbox, container.Name)) != container.Role;
        }
        if (!differs)
        {
            return;
        }
        var roles = new List<string>();
        foreach (ContainerSpec c in containers)
        {
            if (c.Role != ContainerRole.App)
            {
                roles.Add($"{c.Name}={(c.Role == ContainerRole.Init ? "init" : "sidecar")}");
            }
        }
        string wanted = string.Join(',', roles);
        Note(wanted.Length == 0
            ? $"annotation {NriModelMapper.RolesAnnotation} names init containers or sidecars the pod does not have: remove it"
            : $"the plugin learns init containers and sidecars only from an annotation: {(_asThePluginSeesIt.Annotations.TryGetValue(NriModelMapper.RolesAnnotation, out _) ? "make" : "add")} {NriModelMapper.RolesAnnotation}: \"{wanted}\"");
    }

    /// <summary>
    /// CRI carries no memory request: without the annotation the plugin takes a Guaranteed pod's limits
    /// and infers a Burstable container's request from its oom_score_adj (docs/inputs-memory.md).
    /// </summary>
    public void CheckMemoryRequests(IReadOnlyList<ContainerSpec> containers, QosClass qos)
    {
        string? annotation = _asThePluginSeesIt.Annotations.TryGetValue(MemoryRequestInference.AnnotationKey, out string? text) ? text : null;
        bool inexact = false;
        foreach (ContainerSpec container in containers)
        {
            ContainerResources r = container.Resources;
            bool annotated = annotation is not null && MemoryRequestInference.TryFindInAnnotation(annotation, container.Name, out long bytes, out _) && bytes == r.MemoryRequestBytes;
            bool exactWithout = qos switch
            {
                QosClass.Guaranteed => r.MemoryRequestBytes == r.MemoryLimitBytes,
                QosClass.Burstable => r.MemoryRequestBytes == 0,
                _ => true,
            };
            inexact |= !annotated && !exactWithout;
        }
        if (inexact)
        {
            var requests = new List<string>();
            foreach (ContainerSpec c in containers)
            {
                if (c.Resources.MemoryRequestBytes > 0)
                {
                    requests.Add($"{c.Name}={Bytes(c.Resources.MemoryRequestBytes)}");
                }
            }
            string wanted = string.Join(',', requests);
            Note($"on a node the plugin would not know these memory requests exactly (CRI does not carry them; a Burstable one is inferred from oom_score_adj): {(annotation is null ? "add" : "make")} {MemoryRequestInference.AnnotationKey}: \"{wanted}\"");
        }
    }

    private T Plugin<T>(Func<PodSandbox, T> read)
    {
        try
        {
            return read(_asThePluginSeesIt);
        }
        catch (FormatException e)
        {
            throw new SimulationInputException($"{_where}: {e.Message}: on a node the plugin would refuse every container of this pod; fix the annotation");
        }
    }

    /// <summary>The annotation value that declares <paramref name="budget"/> (request = limit written once).</summary>
    private static string PodResourcesText(ContainerResources budget)
    {
        var parts = new List<string>(4);
        Add(parts, "cpu", budget.CpuRequestMilli, budget.CpuLimitMilli, Cpu);
        Add(parts, "memory", budget.MemoryRequestBytes, budget.MemoryLimitBytes, Bytes);
        return string.Join(',', parts);

        static void Add(List<string> parts, string name, long request, long limit, Func<long, string> format)
        {
            if (request == limit)
            {
                if (request > 0)
                {
                    parts.Add($"{name}={format(request)}");
                }
                return;
            }
            if (request > 0)
            {
                parts.Add($"requests.{name}={format(request)}");
            }
            if (limit > 0)
            {
                parts.Add($"limits.{name}={format(limit)}");
            }
        }
    }

    private static string Cpu(long milli) => milli % 1000 == 0
        ? (milli / 1000).ToString(CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{milli}m");

    /// <summary>A Kubernetes quantity for a byte count: the largest binary suffix that divides it, else plain bytes.</summary>
    internal static string Bytes(long bytes)
    {
        ReadOnlySpan<string> suffixes = ["Ei", "Pi", "Ti", "Gi", "Mi", "Ki"];
        for (int i = 0; i < suffixes.Length; i++)
        {
            long unit = 1L << (10 * (6 - i));
            if (bytes != 0 && bytes % unit == 0)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{bytes / unit}{suffixes[i]}");
            }
        }
        return bytes.ToString(CultureInfo.InvariantCulture);
    }
}
