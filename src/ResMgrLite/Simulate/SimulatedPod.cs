using ResMgrLite.Engine.Model;

namespace ResMgrLite.Simulate;

/// <summary>
/// One pod of the pods file as the plugin would see it once annotated as docs/inputs.md says:
/// identity, QoS class, pod-level budget, and its containers in the order the kubelet starts them
/// (init containers and sidecars in declaration order, then app containers).
/// </summary>
internal sealed record SimulatedPod(
    string Uid,
    string Name,
    string Namespace,
    QosClass Qos,
    ContainerResources? PodLevel,
    IReadOnlyList<ContainerSpec> Containers,
    bool OptedOut,
    IReadOnlyList<string> Notes)
{
    public override string ToString() => $"{Namespace}/{Name}";
}
