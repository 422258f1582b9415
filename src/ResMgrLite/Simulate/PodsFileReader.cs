using ResMgrLite.Engine.Model;
using ResMgrLite.Host.Files;
using ResMgrLite.Plugin;

namespace ResMgrLite.Simulate;

/// <summary>
/// Reads the pods file of <c>resmgrlite simulate</c> (docs/simulate.md): bounded, through
/// <see cref="HostFile"/>; every problem is a <see cref="SimulationInputException"/> that names the
/// file, the pod and container, the field and what to write instead. Quantities go through the same
/// parser the plugin uses for its annotations, the QoS class through the kubelet's rule (<see cref="PodQos"/>).
/// </summary>
internal static class PodsFileReader
{
    private const string Cpu = "cpu";
    private const string Memory = "memory";
    private const string Hugepages2Mi = "hugepages-2Mi";
    private const string Hugepages1Gi = "hugepages-1Gi";

    /// <param name="podLevelResources">The PodLevelResources gate: without it the kubelet ignores <c>spec.resources</c>.</param>
    /// <param name="memoryRequestsMatter">The memory manager or Memory QoS is on: advise the memory-request annotation.</param>
    public static List<SimulatedPod> Read(string path, bool podLevelResources, bool memoryRequestsMatter) =>
        Parse(JsonInput.ReadFile(path, "the pods file (JSON, format in docs/simulate.md)"), path, podLevelResources, memoryRequestsMatter);

    public static List<SimulatedPod> Parse(ReadOnlySpan<byte> utf8, string source, bool podLevelResources, bool memoryRequestsMatter)
    {
        PodsDocument document = JsonInput.Deserialize(utf8, source, PodsDocumentReader.Read,
            "names, uids and annotations are strings, quantities strings or numbers, requests and limits objects, container lists arrays; docs/simulate.md");
        List<PodDocument?> items = document.Items
            ?? (document.Spec is not null ? new List<PodDocument?> { new() { Metadata = document.Metadata, Spec = document.Spec } } : null)
            ?? throw new SimulationInputException($"{source}: no \"items\": the file must be a list of pods, {{\"items\": [ {{\"metadata\": …, \"spec\": …}} ]}} (what kubectl get pods -o json prints), or one pod");
        var pods = new List<SimulatedPod>(items.Count);
        var uids = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < items.Count; i++)
        {
            string where = $"{source}: items[{i}]";
            SimulatedPod pod = ToPod(items[i] ?? throw new SimulationInputException($"{where} is null: each item is a pod object"), where, podLevelResources, memoryRequestsMatter);
            if (!uids.Add(pod.Uid))
            {
                throw new SimulationInputException($"{where} (pod {pod}): metadata.uid \"{ErrorText.Quote(pod.Uid)}\" is used by an earlier pod: give every pod its own uid (or its own namespace/name when there is no uid)");
            }
            pods.Add(pod);
        }
        return pods;
    }

    private static SimulatedPod ToPod(PodDocument item, string where, bool podLevelResources, bool memoryRequestsMatter)
    {
        PodMetadataDocument metadata = item.Metadata ?? throw new SimulationInputException($"{where}: \"metadata\" is missing: give the pod at least a name, {{\"metadata\": {{\"name\": \"db\"}}}}");
        string name = Required(metadata.Name, $"{where}: metadata.name", "name the pod");
        string ns = string.IsNullOrEmpty(metadata.Namespace) ? "default" : metadata.Namespace;
        where = $"{where} (pod {ns}/{name})";
        string uid = string.IsNullOrEmpty(metadata.Uid) ? $"{ns}/{name}" : metadata.Uid;
        PodSpecDocument spec = item.Spec ?? throw new SimulationInputException($"{where}: \"spec\" is missing: list the pod's containers in spec.containers");
        if (spec.Containers is not { Count: > 0 })
        {
            throw new SimulationInputException($"{where}: spec.containers is missing or empty: a pod has at least one container");
        }

        var containers = new List<ContainerSpec>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        AddContainers(spec.InitContainers, "spec.initContainers", init: true, where, containers, names);
        AddContainers(spec.Containers, "spec.containers", init: false, where, containers, names);

        ContainerResources? budget = spec.Resources is null ? null : ToResources(spec.Resources, $"{where}: spec.resources", podLevel: true);
        var advice = new AnnotationAdvice(metadata.Annotations ?? [], where);
        if (!podLevelResources && budget is { HasAny: true })
        {
            advice.Note("spec.resources is ignored: the PodLevelResources feature gate is off in the configuration");
            budget = null;
        }
        budget = advice.PodLevelBudget(budget);
        QosClass qos = budget is { HasAny: true } pod
            ? PodQos.Of([pod])
            : PodQos.Of(ResourcesOf(containers));
        advice.CheckRoles(containers);
        if (memoryRequestsMatter)
        {
            advice.CheckMemoryRequests(containers, qos);
        }
        return new SimulatedPod(uid, name, ns, qos, budget, containers, advice.OptedOut, advice.Notes);
    }

    private static ContainerResources[] ResourcesOf(List<ContainerSpec> containers)
    {
        var resources = new ContainerResources[containers.Count];
        for (int i = 0; i < resources.Length; i++)
        {
            resources[i] = containers[i].Resources;
        }
        return resources;
    }

    private static void AddContainers(List<ContainerDocument?>? list, string field, bool init, string where, List<ContainerSpec> into, HashSet<string> names)
    {
        if (list is null)
        {
            return;
        }
        for (int i = 0; i < list.Count; i++)
        {
            string at = $"{where}: {field}[{i}]";
            ContainerDocument container = list[i] ?? throw new SimulationInputException($"{at} is null: each entry is a container object");
            string name = Required(container.Name, $"{at}.name", "name the container");
            at = $"{where}: container {name}";
            if (!names.Add(name))
            {
                throw new SimulationInputException($"{at}: the name is used twice in the pod: container names are unique across init and app containers");
            }
            ContainerRole role = ContainerRole.App;
            if (init)
            {
                role = container.RestartPolicy switch
                {
                    null => ContainerRole.Init,
                    "Always" => ContainerRole.Sidecar,
                    string other => throw new SimulationInputException($"{at}: restartPolicy \"{ErrorText.Quote(other)}\": an init container's restartPolicy is \"Always\" (a sidecar) or absent"),
                };
            }
            ContainerResources resources = container.Resources is null ? default : ToResources(container.Resources, $"{at}: resources", podLevel: false);
            into.Add(new ContainerSpec(name, role, resources));
        }
    }

    /// <summary>Requests and limits after API defaulting (a missing request is the limit), checked like the API server checks them.</summary>
    private static ContainerResources ToResources(ResourcesDocument resources, string where, bool podLevel)
    {
        var (cpuRequest, memoryRequest, pages2Mi, pages1Gi) = Amounts(resources.Requests, $"{where}.requests", podLevel);
        var (cpuLimit, memoryLimit, limit2Mi, limit1Gi) = Amounts(resources.Limits, $"{where}.limits", podLevel);
        cpuRequest = Defaulted(cpuRequest, cpuLimit, Cpu, where);
        memoryRequest = Defaulted(memoryRequest, memoryLimit, Memory, where);
        // Hugepage requests must equal their limits (API validation); either one says the amount.
        pages2Mi = Math.Max(pages2Mi, limit2Mi);
        pages1Gi = Math.Max(pages1Gi, limit1Gi);
        return new ContainerResources(cpuRequest, cpuLimit, memoryRequest, memoryLimit, pages2Mi, pages1Gi);
    }

    private static long Defaulted(long request, long limit, string resource, string where)
    {
        if (request == 0)
        {
            return limit;
        }
        if (limit > 0 && request > limit)
        {
            throw new SimulationInputException($"{where}: requests.{resource} is above limits.{resource}: the API server refuses such a pod; lower the request or raise the limit");
        }
        return request;
    }

    private static (long CpuMilli, long MemoryBytes, long Hugepages2Mi, long Hugepages1Gi) Amounts(Dictionary<string, QuantityText>? amounts, string where, bool podLevel)
    {
        long cpu = 0, memory = 0, pages2Mi = 0, pages1Gi = 0;
        if (amounts is null)
        {
            return (0, 0, 0, 0);
        }
        foreach ((string resource, QuantityText quantity) in amounts)
        {
            try
            {
                switch (resource)
                {
                    case Cpu:
                        cpu = NriModelMapper.Quantity.ParseMilliCpu(quantity.Text);
                        break;
                    case Memory:
                        memory = NriModelMapper.Quantity.ParseBytes(quantity.Text);
                        break;
                    case Hugepages2Mi when !podLevel:
                        pages2Mi = NriModelMapper.Quantity.ParseBytes(quantity.Text);
                        break;
                    case Hugepages1Gi when !podLevel:
                        pages1Gi = NriModelMapper.Quantity.ParseBytes(quantity.Text);
                        break;
                    default:
                        if (!IsOtherKnownResource(resource, podLevel))
                        {
                            throw new SimulationInputException($"{where}.{ErrorText.Quote(resource)}: not a resource {(podLevel ? "pod-level resources take (cpu, memory)" : "Kubernetes knows (cpu, memory, hugepages-2Mi, hugepages-1Gi, ephemeral-storage; extended resources carry a domain, e.g. nvidia.com/gpu)")}");
                        }
                        break;
                }
            }
            catch (FormatException e)
            {
                throw new SimulationInputException($"{where}.{resource}: {e.Message}");
            }
        }
        return (cpu, memory, pages2Mi, pages1Gi);
    }

    /// <summary>Resources the managers do not place (storage, other page sizes, extended resources): accepted and left alone, as the kubelet's managers do.</summary>
    private static bool IsOtherKnownResource(string resource, bool podLevel) =>
        !podLevel && (resource == "ephemeral-storage" || resource.StartsWith("hugepages-", StringComparison.Ordinal) || resource.Contains('/', StringComparison.Ordinal));

    private static string Required(string? value, string field, string what) =>
        string.IsNullOrEmpty(value) ? throw new SimulationInputException($"{field} is missing or empty: {what}") : value;
}
