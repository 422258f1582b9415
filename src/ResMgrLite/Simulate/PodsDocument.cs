namespace ResMgrLite.Simulate;

// The pods file of `resmgrlite simulate` (docs/simulate.md): the fields of a Kubernetes Pod that
// the resource managers look at, under their Kubernetes names, so `kubectl get pods -o json` output
// and hand-written files both fit. Everything is optional here; PodsFileReader checks what is missing
// and says so with the pod's place in the file. PodsDocumentReader fills these from the JSON.

/// <summary>The whole file: a Kubernetes List of pods (<c>items</c>), or one Pod (<c>metadata</c>, <c>spec</c>).</summary>
internal sealed class PodsDocument
{
    public List<PodDocument?>? Items { get; set; }

    public PodMetadataDocument? Metadata { get; set; }

    public PodSpecDocument? Spec { get; set; }
}

internal sealed class PodDocument
{
    public PodMetadataDocument? Metadata { get; set; }

    public PodSpecDocument? Spec { get; set; }
}

internal sealed class PodMetadataDocument
{
    public string? Name { get; set; }

    public string? Namespace { get; set; }

    public string? Uid { get; set; }

    public Dictionary<string, string>? Annotations { get; set; }
}

internal sealed class PodSpecDocument
{
    /// <summary>Pod-level resources (KEP-2837 <c>spec.resources</c>).</summary>
    public ResourcesDocument? Resources { get; set; }

    public List<ContainerDocument?>? InitContainers { get; set; }

    public List<ContainerDocument?>? Containers { get; set; }
}

internal sealed class ContainerDocument
{
    public string? Name { get; set; }

    /// <summary><c>Always</c> on an init container makes it a sidecar (KEP-753).</summary>
    public string? RestartPolicy { get; set; }

    public ResourcesDocument? Resources { get; set; }
}

internal sealed class ResourcesDocument
{
    public Dictionary<string, QuantityText>? Requests { get; set; }

    public Dictionary<string, QuantityText>? Limits { get; set; }
}

/// <summary>A Kubernetes quantity as written: a string ("500m", "8Gi") or a plain JSON number (2, 0.5), kept as its text.</summary>
internal readonly record struct QuantityText(string Text);
