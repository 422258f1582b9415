using System.Globalization;
using ResMgrLite.CriTool.Cri.V1;
using ResMgrLite.CriTool.Kube;

namespace ResMgrLite.CriTool.Cri;

/// <summary>
/// Builds CRI requests the way the kubelet does for a host-network pod with the cgroupfs driver:
/// pod cgroup parent per QoS class, kubelet labels and annotations, CFS/memory/OOM resources.
/// </summary>
internal static class KubeletRequests
{
    /// <param name="withSandboxResources">
    /// The kubelet (applySandboxResources) sends the pod's summed container resources as
    /// LinuxPodSandboxConfig.resources for every pod; NRI hands them on as pod_resources.
    /// </param>
    public static PodSandboxConfig SandboxConfig(PodSpec pod, string logRoot, bool withSandboxResources = true)
    {
        var config = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = pod.Name, Namespace = pod.Namespace, Uid = pod.Uid, Attempt = 0 },
            // No hostname: the kubelet sets one only for pods with their own network (and UTS)
            // namespace; these pods use the host's (there is no CNI in the sandbox).
            LogDirectory = Path.Combine(logRoot, $"{pod.Namespace}_{pod.Name}_{pod.Uid}"),
            Linux = new LinuxPodSandboxConfig
            {
                CgroupParent = KubeletFormulas.PodCgroupParent(pod.QosClass, pod.Uid),
                SecurityContext = new LinuxSandboxSecurityContext { NamespaceOptions = NamespaceOptions() },
                Resources = withSandboxResources ? KubeletFormulas.PodResources(pod) : null,
            },
        };
        foreach (var (key, value) in pod.Labels)
        {
            config.Labels[key] = value;
        }

        config.Labels[KubernetesKeys.PodName] = pod.Name;
        config.Labels[KubernetesKeys.PodNamespace] = pod.Namespace;
        config.Labels[KubernetesKeys.PodUid] = pod.Uid;
        config.Annotations[KubernetesKeys.ConfigSource] = "api";
        config.Annotations[KubernetesKeys.ConfigSeen] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        foreach (var (key, value) in pod.Annotations)
        {
            config.Annotations[key] = value;
        }

        return config;
    }

    public static ContainerConfig ContainerConfig(PodSpec pod, ContainerSpec container, string image, long memoryCapacityBytes)
    {
        var config = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = container.Name, Attempt = 0 },
            Image = new ImageSpec { Image = image },
            LogPath = $"{container.Name}/0.log",
            Linux = new LinuxContainerConfig
            {
                Resources = KubeletFormulas.ContainerResources(pod, container, memoryCapacityBytes),
                SecurityContext = new LinuxContainerSecurityContext { NamespaceOptions = NamespaceOptions() },
            },
        };
        config.Command.AddRange(container.Command);
        config.Envs.Add(new KeyValue { Key = "POD_NAME", Value = pod.Name });
        config.Labels[KubernetesKeys.ContainerName] = container.Name;
        config.Labels[KubernetesKeys.PodName] = pod.Name;
        config.Labels[KubernetesKeys.PodNamespace] = pod.Namespace;
        config.Labels[KubernetesKeys.PodUid] = pod.Uid;
        config.Annotations[KubernetesKeys.ContainerHash] = ContainerHash(container);
        config.Annotations[KubernetesKeys.ContainerRestartCount] = "0";
        config.Annotations[KubernetesKeys.TerminationMessagePath] = "/dev/termination-log";
        config.Annotations[KubernetesKeys.TerminationMessagePolicy] = "File";
        config.Annotations[KubernetesKeys.TerminationGracePeriod] = "30";
        return config;
    }

    /// <summary>Host network (NODE) as there is no CNI; per-container PID namespace, pod IPC, as the kubelet sets for v1 pods.</summary>
    private static NamespaceOption NamespaceOptions() => new()
    {
        Network = NamespaceMode.Node,
        Pid = NamespaceMode.Container,
        Ipc = NamespaceMode.Pod,
    };

    private static string ContainerHash(ContainerSpec container)
    {
        var text = $"{container.Name}|{container.Requests}|{container.Limits}|{string.Join(' ', container.Command)}";
        var hash = 2166136261u;
        foreach (var ch in text)
        {
            hash = (hash ^ ch) * 16777619u;
        }

        return hash.ToString("x8", CultureInfo.InvariantCulture);
    }
}
