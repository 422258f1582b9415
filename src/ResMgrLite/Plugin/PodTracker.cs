using ResMgrLite.Engine.Model;
using ResMgrLite.Nri.Api;

namespace ResMgrLite.Plugin;

/// <summary>A pod this process has seen an event for: what is read later of the runtime's sandbox (<see cref="SandboxEssentials"/>) and the model built so far.</summary>
internal sealed class TrackedPod(PodSandbox sandbox, PodSpec spec)
{
    public PodSandbox Sandbox { get; set; } = sandbox;

    public PodSpec Spec { get; } = spec;

    /// <summary>The pod cgroup relative to the cgroup mount, from the runtime (cgroupfs paths only; systemd slices go through the layout).</summary>
    public string? CgroupPath
    {
        get
        {
            string? parent = Sandbox.Linux?.CgroupParent;
            return string.IsNullOrEmpty(parent) || parent.EndsWith(".slice", StringComparison.Ordinal) ? null : parent.Trim('/');
        }
    }

    public override string ToString() => Spec.ToString();
}

/// <summary>A container this process admitted: its pod and its model.</summary>
internal sealed class TrackedContainer(string id, TrackedPod pod, ContainerSpec spec)
{
    public string Id => id;

    public TrackedPod Pod => pod;

    public ContainerSpec Spec => spec;

    public ContainerKey Key => new(pod.Spec.Uid, spec.Name);
}

/// <summary>
/// Pods by sandbox id and containers by id, with the models the engine was asked about. Built from
/// events; a restarted plugin knows only what events named since (the engine's state knows the rest).
/// </summary>
internal sealed class PodTracker(long memoryCapacityBytes)
{
    private readonly Dictionary<string, TrackedPod> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TrackedContainer> _containers = new(StringComparer.Ordinal);

    public IEnumerable<TrackedPod> Pods => _pods.Values;

    /// <summary>Called with every pod model built from the runtime's view (the engine gives it the budget in force after a resize).</summary>
    public Action<PodSpec>? Built { get; init; }

    /// <summary>The machine's memory (MemTotal): the kubelet's capacity in the oom_score_adj formula (docs/kubelet-rules.md §8).</summary>
    public long MemoryCapacityBytes => memoryCapacityBytes;

    /// <summary>The pod of a sandbox, built on first sight. Throws <see cref="FormatException"/> on a malformed annotation.</summary>
    public TrackedPod PodFor(PodSandbox sandbox, Container? anyContainer)
    {
        if (!_pods.TryGetValue(sandbox.Id, out TrackedPod? pod))
        {
            pod = new TrackedPod(SandboxEssentials.Of(sandbox), NriModelMapper.ToPodSpec(sandbox, anyContainer));
            Built?.Invoke(pod.Spec);
            _pods[sandbox.Id] = pod;
        }
        return pod;
    }

    /// <summary>The runtime changed the sandbox (pod-level resources).</summary>
    public void Refresh(PodSandbox sandbox)
    {
        if (_pods.TryGetValue(sandbox.Id, out TrackedPod? pod))
        {
            pod.Sandbox = SandboxEssentials.Of(sandbox);
        }
    }

    /// <summary>The pod with this UID if an event named it.</summary>
    public TrackedPod? FindPod(string podUid)
    {
        foreach (TrackedPod pod in _pods.Values)
        {
            if (string.Equals(pod.Spec.Uid, podUid, StringComparison.Ordinal))
            {
                return pod;
            }
        }
        return null;
    }

    /// <summary>
    /// The model of a container about to be admitted, added to its pod's containers when new (the
    /// managers look at the containers known so far). <paramref name="problem"/> reports a malformed
    /// memory-request annotation that was skipped. Throws <see cref="FormatException"/> for a malformed pod.
    /// </summary>
    public (TrackedPod Pod, ContainerSpec Spec, bool Added) Prepare(PodSandbox sandbox, Container container, out string? problem)
    {
        TrackedPod pod = PodFor(sandbox, container);
        ContainerSpec spec = NriModelMapper.ToContainerSpec(sandbox, container, pod.Spec.Qos, memoryCapacityBytes, out problem);
        ContainerSpec? known = pod.Spec.Containers.Find(c => c.Name == spec.Name);
        if (known is not null)
        {
            return (pod, known, false);
        }
        pod.Spec.Containers.Add(spec);
        return (pod, spec, true);
    }

    /// <summary>Undoes <see cref="Prepare"/> for a container the engine refused.</summary>
    public static void Unprepare(TrackedPod pod, ContainerSpec spec) => pod.Spec.Containers.Remove(spec);

    public void Track(string containerId, TrackedPod pod, ContainerSpec spec) => _containers[containerId] = new TrackedContainer(containerId, pod, spec);

    public TrackedContainer? Find(string containerId) => _containers.GetValueOrDefault(containerId);

    public TrackedContainer? Untrack(string containerId) => _containers.Remove(containerId, out TrackedContainer? container) ? container : null;

    /// <summary>Forgets a sandbox and its containers; returns the pod when it was known.</summary>
    public TrackedPod? RemovePod(string sandboxId)
    {
        if (!_pods.Remove(sandboxId, out TrackedPod? pod))
        {
            return null;
        }
        var gone = new List<string>();
        foreach ((string id, TrackedContainer container) in _containers)
        {
            if (container.Pod == pod)
            {
                gone.Add(id);
            }
        }
        foreach (string id in gone)
        {
            _containers.Remove(id);
        }
        return pod;
    }

    /// <summary>Synchronize: forgets the containers and pods the runtime no longer has.</summary>
    public void KeepOnly(HashSet<string> containerIds, HashSet<string> podUids)
    {
        var gone = new List<string>();
        foreach (string id in _containers.Keys)
        {
            if (!containerIds.Contains(id))
            {
                gone.Add(id);
            }
        }
        foreach (string id in gone)
        {
            _containers.Remove(id);
        }
        gone.Clear();
        foreach ((string sandboxId, TrackedPod pod) in _pods)
        {
            if (!podUids.Contains(pod.Spec.Uid))
            {
                gone.Add(sandboxId);
            }
        }
        foreach (string sandboxId in gone)
        {
            _pods.Remove(sandboxId);
        }
    }

    /// <summary>UIDs of every pod an event named since start.</summary>
    public HashSet<string> SeenPodUids()
    {
        var uids = new HashSet<string>(StringComparer.Ordinal);
        foreach (TrackedPod pod in _pods.Values)
        {
            uids.Add(pod.Spec.Uid);
        }
        return uids;
    }
}
