namespace ResMgrLite.CriTool.Kube;

/// <summary>
/// A pod as the kubelet would hand it to the runtime: identity, labels, annotations and app
/// containers. The QoS class is derived, never given, so a test cannot build an inconsistent pod.
/// </summary>
internal sealed record PodSpec
{
    public PodSpec(
        string name,
        IReadOnlyList<ContainerSpec> containers,
        IReadOnlyDictionary<string, string>? annotations = null,
        IReadOnlyDictionary<string, string>? labels = null,
        string @namespace = "default",
        string? uid = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (containers.Count == 0)
        {
            throw new ArgumentException("a pod needs at least one container", nameof(containers));
        }

        Name = name;
        Namespace = @namespace;
        Uid = uid ?? Guid.NewGuid().ToString();
        Containers = containers;
        Annotations = annotations ?? new Dictionary<string, string>();
        Labels = labels ?? new Dictionary<string, string>();
        QosClass = QosClassifier.Classify(containers);
    }

    public string Name { get; }

    public string Namespace { get; }

    public string Uid { get; }

    public IReadOnlyList<ContainerSpec> Containers { get; }

    public IReadOnlyDictionary<string, string> Annotations { get; }

    public IReadOnlyDictionary<string, string> Labels { get; }

    public QosClass QosClass { get; }

    public ResourceAmounts TotalRequests => Containers.Aggregate(ResourceAmounts.None, (sum, c) => sum + c.Requests);

    public ResourceAmounts TotalLimits => Containers.Aggregate(ResourceAmounts.None, (sum, c) => sum + c.Limits);
}
