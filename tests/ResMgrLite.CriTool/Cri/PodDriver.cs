using Grpc.Core;
using ResMgrLite.CriTool.Cri.V1;
using ResMgrLite.CriTool.Kube;

namespace ResMgrLite.CriTool.Cri;

/// <summary>
/// Plays the kubelet's part for whole pods: RunPodSandbox, then CreateContainer + StartContainer
/// per container; teardown in the kubelet's order (StopContainer, RemoveContainer,
/// StopPodSandbox, RemovePodSandbox).
/// </summary>
internal sealed class PodDriver
{
    /// <summary>StopContainer grace period; the test image exits at once on TERM.</summary>
    private const long StopTimeoutSeconds = 5;

    private readonly CriClient _cri;
    private readonly string _image;
    private readonly string _logRoot;
    private readonly long _memoryCapacityBytes;
    private readonly string? _podCgroupRecord;

    /// <param name="podCgroupRecord">
    /// File to which each pod cgroup is appended before its sandbox is created, so that
    /// tests/e2e/sandbox.sh stop can remove them (the kubelet's job on a real node).
    /// </param>
    public PodDriver(CriClient cri, string image, string logRoot, long memoryCapacityBytes, string? podCgroupRecord = null)
    {
        _podCgroupRecord = podCgroupRecord;
        _cri = cri;
        _image = image;
        _logRoot = logRoot;
        _memoryCapacityBytes = memoryCapacityBytes;
    }

    public CriClient Cri => _cri;

    /// <summary>
    /// Whether sandboxes carry LinuxPodSandboxConfig.resources as a kubelet sends them (default): the
    /// sum of the containers, on every pod, which the plugin must not read as a pod-level budget.
    /// </summary>
    public bool SendSandboxResources { get; set; } = true;

    public async Task<RunningPod> RunAsync(PodSpec pod, CancellationToken cancellationToken)
    {
        var sandboxConfig = KubeletRequests.SandboxConfig(pod, _logRoot, SendSandboxResources);
        if (_podCgroupRecord is not null)
        {
            await File.AppendAllTextAsync(_podCgroupRecord, sandboxConfig.Linux.CgroupParent + "\n", cancellationToken);
        }

        var sandbox = await _cri.Runtime.RunPodSandboxAsync(
            new RunPodSandboxRequest { Config = sandboxConfig }, _cri.Call(cancellationToken));
        var running = new RunningPod(pod, sandbox.PodSandboxId, sandboxConfig, []);
        try
        {
            foreach (var container in pod.Containers)
            {
                running = await AddContainerAsync(running, container, cancellationToken);
            }

            return running;
        }
        catch
        {
            await RemoveAsync(running, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Creates and starts one more container in a running pod (the pod's spec stays as it was).</summary>
    public async Task<RunningPod> AddContainerAsync(RunningPod pod, ContainerSpec container, CancellationToken cancellationToken)
    {
        var config = KubeletRequests.ContainerConfig(pod.Spec, container, _image, _memoryCapacityBytes);
        var created = await _cri.Runtime.CreateContainerAsync(
            new CreateContainerRequest { PodSandboxId = pod.SandboxId, Config = config, SandboxConfig = pod.SandboxConfig },
            _cri.Call(cancellationToken));
        var runningContainer = new RunningContainer(created.ContainerId, container, config.Linux.Resources);
        var withContainer = pod with { Containers = [.. pod.Containers, runningContainer] };
        await _cri.Runtime.StartContainerAsync(
            new StartContainerRequest { ContainerId = created.ContainerId }, _cri.Call(cancellationToken));
        return withContainer;
    }

    public async Task<ContainerStatus> StatusAsync(string containerId, CancellationToken cancellationToken)
    {
        var response = await _cri.Runtime.ContainerStatusAsync(
            new ContainerStatusRequest { ContainerId = containerId }, _cri.Call(cancellationToken));
        return response.Status;
    }

    public async Task UpdateResourcesAsync(string containerId, LinuxContainerResources resources, CancellationToken cancellationToken) =>
        await _cri.Runtime.UpdateContainerResourcesAsync(
            new UpdateContainerResourcesRequest { ContainerId = containerId, Linux = resources },
            _cri.Call(cancellationToken));

    public async Task RemoveAsync(RunningPod pod, CancellationToken cancellationToken)
    {
        var containers = await _cri.Runtime.ListContainersAsync(
            new ListContainersRequest { Filter = new ContainerFilter { PodSandboxId = pod.SandboxId } },
            _cri.Call(cancellationToken));
        foreach (var container in containers.Containers)
        {
            await StopAndRemoveContainerAsync(container.Id, cancellationToken);
        }

        await RemoveSandboxAsync(pod.SandboxId, cancellationToken);
    }

    /// <summary>Removes every pod and container the runtime knows (cleanup after a failed test).</summary>
    public async Task RemoveEverythingAsync(CancellationToken cancellationToken)
    {
        var containers = await _cri.Runtime.ListContainersAsync(new ListContainersRequest(), _cri.Call(cancellationToken));
        foreach (var container in containers.Containers)
        {
            await StopAndRemoveContainerAsync(container.Id, cancellationToken);
        }

        var sandboxes = await _cri.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest(), _cri.Call(cancellationToken));
        foreach (var sandbox in sandboxes.Items)
        {
            await RemoveSandboxAsync(sandbox.Id, cancellationToken);
        }
    }

    public async Task StopAndRemoveContainerAsync(string containerId, CancellationToken cancellationToken)
    {
        await IgnoreNotFound(_cri.Runtime.StopContainerAsync(
            new StopContainerRequest { ContainerId = containerId, Timeout = StopTimeoutSeconds },
            _cri.Call(cancellationToken)).ResponseAsync);
        await IgnoreNotFound(_cri.Runtime.RemoveContainerAsync(
            new RemoveContainerRequest { ContainerId = containerId }, _cri.Call(cancellationToken)).ResponseAsync);
    }

    private async Task RemoveSandboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        await IgnoreNotFound(_cri.Runtime.StopPodSandboxAsync(
            new StopPodSandboxRequest { PodSandboxId = sandboxId }, _cri.Call(cancellationToken)).ResponseAsync);
        await IgnoreNotFound(_cri.Runtime.RemovePodSandboxAsync(
            new RemovePodSandboxRequest { PodSandboxId = sandboxId }, _cri.Call(cancellationToken)).ResponseAsync);
    }

    /// <summary>Stop and remove are idempotent in CRI, but a vanished object may still answer NotFound.</summary>
    private static async Task IgnoreNotFound<T>(Task<T> call)
    {
        try
        {
            await call;
        }
        catch (RpcException exception) when (exception.StatusCode == StatusCode.NotFound)
        {
        }
    }
}
