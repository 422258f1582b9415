using ResMgrLite.CriTool.Cri.V1;
using ResMgrLite.CriTool.Kube;

namespace ResMgrLite.CriTool.Cri;

/// <summary>A container created and started through CRI, with the resources we asked for.</summary>
internal sealed record RunningContainer(string Id, ContainerSpec Spec, LinuxContainerResources RequestedResources);

/// <summary>A pod sandbox created through CRI and its app containers.</summary>
internal sealed record RunningPod(PodSpec Spec, string SandboxId, PodSandboxConfig SandboxConfig, IReadOnlyList<RunningContainer> Containers)
{
    /// <summary>The pod's cgroup (cgroupfs path below each hierarchy's root).</summary>
    public string CgroupParent => SandboxConfig.Linux.CgroupParent;

    public RunningContainer Container(string name) =>
        Containers.FirstOrDefault(c => c.Spec.Name == name)
        ?? throw new InvalidOperationException($"pod {Spec.Name} has no container {name}");
}
