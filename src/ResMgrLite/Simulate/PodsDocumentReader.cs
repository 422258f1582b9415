namespace ResMgrLite.Simulate;

/// <summary>
/// Fills a <see cref="PodsDocument"/> from the pods file through <see cref="JsonFields"/>: property
/// names as Kubernetes writes them (camelCase, case-sensitive), unknown fields ignored, a repeated
/// field's last value kept, null where a field may be absent.
/// </summary>
internal static class PodsDocumentReader
{
    public static PodsDocument? Read(ref JsonFields json)
    {
        if (!json.StartObject())
        {
            return null;
        }
        var document = new PodsDocument();
        while (json.NextProperty(out string name))
        {
            switch (name)
            {
                case "items":
                    document.Items = Pods(ref json);
                    break;
                case "metadata":
                    document.Metadata = Metadata(ref json);
                    break;
                case "spec":
                    document.Spec = Spec(ref json);
                    break;
                default:
                    json.Skip();
                    break;
            }
        }
        return document;
    }

    private static List<PodDocument?>? Pods(ref JsonFields json)
    {
        if (!json.StartArray())
        {
            return null;
        }
        var pods = new List<PodDocument?>();
        while (json.NextElement(pods.Count))
        {
            pods.Add(Pod(ref json));
        }
        return pods;
    }

    private static PodDocument? Pod(ref JsonFields json)
    {
        if (!json.StartObject())
        {
            return null;
        }
        var pod = new PodDocument();
        while (json.NextProperty(out string name))
        {
            switch (name)
            {
                case "metadata":
                    pod.Metadata = Metadata(ref json);
                    break;
                case "spec":
                    pod.Spec = Spec(ref json);
                    break;
                default:
                    json.Skip();
                    break;
            }
        }
        return pod;
    }

    private static PodMetadataDocument? Metadata(ref JsonFields json)
    {
        if (!json.StartObject())
        {
            return null;
        }
        var metadata = new PodMetadataDocument();
        while (json.NextProperty(out string name))
        {
            switch (name)
            {
                case "name":
                    metadata.Name = json.String();
                    break;
                case "namespace":
                    metadata.Namespace = json.String();
                    break;
                case "uid":
                    metadata.Uid = json.String();
                    break;
                case "annotations":
                    metadata.Annotations = Annotations(ref json);
                    break;
                default:
                    json.Skip();
                    break;
            }
        }
        return metadata;
    }

    private static Dictionary<string, string>? Annotations(ref JsonFields json)
    {
        if (!json.StartObject())
        {
            return null;
        }
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        while (json.NextProperty(out string key))
        {
            annotations[key] = json.String()!;
        }
        return annotations;
    }

    private static PodSpecDocument? Spec(ref JsonFields json)
    {
        if (!json.StartObject())
        {
            return null;
        }
        var spec = new PodSpecDocument();
        while (json.NextProperty(out string name))
        {
            switch (name)
            {
                case "resources":
                    spec.Resources = Resources(ref json);
                    break;
                case "initContainers":
                    spec.InitContainers = Containers(ref json);
                    break;
                case "containers":
                    spec.Containers = Containers(ref json);
                    break;
                default:
                    json.Skip();
                    break;
            }
        }
        return spec;
    }

    private static List<ContainerDocument?>? Containers(ref JsonFields json)
    {
        if (!json.StartArray())
        {
            return null;
        }
        var containers = new List<ContainerDocument?>();
        while (json.NextElement(containers.Count))
        {
            containers.Add(Container(ref json));
        }
        return containers;
    }

    private static ContainerDocument? Container(ref JsonFields json)
    {
        if (!json.StartObject())
        {
            return null;
        }
        var container = new ContainerDocument();
        while (json.NextProperty(out string name))
        {
            switch (name)
            {
                case "name":
                    container.Name = json.String();
                    break;
                case "restartPolicy":
                    container.RestartPolicy = json.String();
                    break;
                case "resources":
                    container.Resources = Resources(ref json);
                    break;
                default:
                    json.Skip();
                    break;
            }
        }
        return container;
    }

    private static ResourcesDocument? Resources(ref JsonFields json)
    {
        if (!json.StartObject())
        {
            return null;
        }
        var resources = new ResourcesDocument();
        while (json.NextProperty(out string name))
        {
            switch (name)
            {
                case "requests":
                    resources.Requests = Quantities(ref json);
                    break;
                case "limits":
                    resources.Limits = Quantities(ref json);
                    break;
                default:
                    json.Skip();
                    break;
            }
        }
        return resources;
    }

    /// <summary>Amounts by resource name; null is not a quantity (the API server refuses it too).</summary>
    private static Dictionary<string, QuantityText>? Quantities(ref JsonFields json)
    {
        if (!json.StartObject())
        {
            return null;
        }
        var quantities = new Dictionary<string, QuantityText>(StringComparer.Ordinal);
        while (json.NextProperty(out string resource))
        {
            quantities[resource] = new QuantityText(json.NumberOrString());
        }
        return quantities;
    }
}
