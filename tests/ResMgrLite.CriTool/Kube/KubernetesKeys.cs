namespace ResMgrLite.CriTool.Kube;

/// <summary>Label and annotation keys the kubelet puts on CRI pods and containers.</summary>
internal static class KubernetesKeys
{
    public const string PodName = "io.kubernetes.pod.name";
    public const string PodNamespace = "io.kubernetes.pod.namespace";
    public const string PodUid = "io.kubernetes.pod.uid";
    public const string ContainerName = "io.kubernetes.container.name";
    public const string ContainerHash = "io.kubernetes.container.hash";
    public const string ContainerRestartCount = "io.kubernetes.container.restartCount";
    public const string TerminationMessagePath = "io.kubernetes.container.terminationMessagePath";
    public const string TerminationMessagePolicy = "io.kubernetes.container.terminationMessagePolicy";
    public const string TerminationGracePeriod = "io.kubernetes.pod.terminationGracePeriod";
    public const string ConfigSource = "kubernetes.io/config.source";
    public const string ConfigSeen = "kubernetes.io/config.seen";
}
