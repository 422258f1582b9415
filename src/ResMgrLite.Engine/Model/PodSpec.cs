namespace ResMgrLite.Engine.Model;

/// <summary>
/// A pod as the resource managers see it: identity, QoS class, the optional pod-level budget
/// (KEP-5526 <c>spec.resources</c>) and the containers known so far, in kubelet order (init
/// containers in declaration order, then app containers).
/// </summary>
/// <remarks>
/// NRI hands containers over one CreateContainer at a time, so the container list grows as the
/// pod starts; the managers only ever look at the containers up to the one being admitted, which
/// is exactly the prefix the kubelet's own algorithms would have processed at that point.
/// </remarks>
internal sealed class PodSpec
{
    public PodSpec(string uid, string name, string ns, QosClass qos, ContainerResources? podLevel = null)
    {
        Uid = uid;
        Name = name;
        Namespace = ns;
        Qos = qos;
        PodLevel = podLevel;
    }

    public string Uid { get; }

    public string Name { get; }

    public string Namespace { get; }

    public QosClass Qos { get; }

    /// <summary>
    /// Pod-level resources (spec.resources), or null when the pod has none (docs/kubelet-rules.md §5.1). Changed only by
    /// the engine, when an in-place resize is applied or a persisted one is restored.
    /// </summary>
    public ContainerResources? PodLevel { get; internal set; }

    /// <summary>Pod-level resources set: at least one supported resource in requests or limits (§5.1).</summary>
    public bool HasPodLevelResources => PodLevel is { HasAny: true };

    /// <summary>Containers known so far, init containers before app containers.</summary>
    public List<ContainerSpec> Containers { get; } = new(4);

    public override string ToString() => $"{Namespace}/{Name}";
}
