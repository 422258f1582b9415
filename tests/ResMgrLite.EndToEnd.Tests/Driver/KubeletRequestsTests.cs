using ResMgrLite.CriTool.Cri;
using ResMgrLite.CriTool.Cri.V1;
using ResMgrLite.CriTool.Kube;

namespace ResMgrLite.EndToEnd.Tests.Driver;

public sealed class KubeletRequestsTests
{
    private static readonly PodSpec Pod = new(
        "web",
        [new ContainerSpec("nginx", new ResourceAmounts(250, ResourceAmounts.Mebibytes(64)), new ResourceAmounts(500, ResourceAmounts.Mebibytes(128)))],
        annotations: new Dictionary<string, string> { ["example.com/team"] = "web" },
        labels: new Dictionary<string, string> { ["app"] = "web" },
        @namespace: "shop",
        uid: "1234");

    [Fact]
    public void Sandbox_config_is_a_host_network_pod_in_its_qos_cgroup_with_kubelet_labels()
    {
        var config = KubeletRequests.SandboxConfig(Pod, "/logs");
        Assert.Equal(new PodSandboxMetadata { Name = "web", Namespace = "shop", Uid = "1234" }, config.Metadata);
        Assert.Equal("/kubepods/burstable/pod1234", config.Linux.CgroupParent);
        Assert.Equal(NamespaceMode.Node, config.Linux.SecurityContext.NamespaceOptions.Network);
        Assert.Equal("", config.Hostname);
        Assert.Equal("web", config.Labels[KubernetesKeys.PodName]);
        Assert.Equal("shop", config.Labels[KubernetesKeys.PodNamespace]);
        Assert.Equal("1234", config.Labels[KubernetesKeys.PodUid]);
        Assert.Equal("web", config.Labels["app"]);
        Assert.Equal("web", config.Annotations["example.com/team"]);
        Assert.Equal("/logs/shop_web_1234", config.LogDirectory);
        Assert.Equal(256, config.Linux.Resources.CpuShares);
        Assert.Equal(ResourceAmounts.Mebibytes(128), config.Linux.Resources.MemoryLimitInBytes);
    }

    [Fact]
    public void Container_config_has_kubelet_labels_annotations_and_resources()
    {
        var config = KubeletRequests.ContainerConfig(Pod, Pod.Containers[0], "img:tag", ResourceAmounts.Mebibytes(1024));
        Assert.Equal("nginx", config.Metadata.Name);
        Assert.Equal("img:tag", config.Image.Image);
        Assert.Equal("nginx", config.Labels[KubernetesKeys.ContainerName]);
        Assert.Equal("1234", config.Labels[KubernetesKeys.PodUid]);
        Assert.Equal("0", config.Annotations[KubernetesKeys.ContainerRestartCount]);
        Assert.Matches("^[0-9a-f]{8}$", config.Annotations[KubernetesKeys.ContainerHash]);
        Assert.Equal("nginx/0.log", config.LogPath);
        Assert.Equal(50_000, config.Linux.Resources.CpuQuota);
        Assert.Equal(NamespaceMode.Container, config.Linux.SecurityContext.NamespaceOptions.Pid);
    }
}
