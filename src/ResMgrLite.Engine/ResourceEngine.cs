using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.MemoryQos;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.State;
using ResMgrLite.Engine.TopologyManagement;

namespace ResMgrLite.Engine;

/// <summary>What the engine decided for one container.</summary>
public struct ContainerDecision
{
    /// <summary>True when the CPU manager (static policy) made the decision; false when CPU management is off.</summary>
    public bool ManagesCpu;

    public CpuDecision Cpu;

    /// <summary>The hint the Topology Manager settled on.</summary>
    public TopologyHint Hint;

    /// <summary>True when the Memory Manager (Static policy) made the decision; false when memory management is off.</summary>
    public bool ManagesMemory;

    /// <summary>NUMA memory nodes (cpuset.mems: the nodes of the memory blocks, 0 = unrestricted) and hugepage limits.</summary>
    public MemoryDecision Memory;

    /// <summary>The container's Memory QoS knobs for <c>unified</c> adjustments (§6.2); empty when Memory QoS is off.</summary>
    public MemoryQosValues MemoryQos;
}

/// <summary>
/// The admission pipeline of the kubelet's container manager, for one node: Topology Manager hint
/// merge (container or pod scope, spec/resource-managers.md §2.5, §2.6), then the providers'
/// allocation. Pure and deterministic: the same calls in the same order give the same decisions.
/// </summary>
public sealed class ResourceEngine
{
    private readonly CpuTopology _topology;
    private readonly TopologyManagerOptions _tmOptions;
    private readonly HintMerger _merger;
    private readonly StaticCpuPolicy? _cpu;
    private readonly StaticMemoryPolicy? _memory;
    private readonly MemoryQosOptions? _memoryQos;
    private readonly MemoryQosAccounting? _qosAccounting;
    private readonly HintList _cpuHints;
    private readonly HintList[] _lists;
    private readonly Dictionary<string, TopologyHint> _podHints = new(64, StringComparer.Ordinal);

    public ResourceEngine(CpuTopology topology, TopologyManagerOptions topologyManager, CpuManagerOptions? cpuManager)
        : this(topology, topologyManager, cpuManager, null)
    {
    }

    /// <summary>
    /// An engine with the Memory Manager as the second hint provider (after the CPU manager, §2.1) and,
    /// when <paramref name="memoryQos"/> is given, Memory QoS values in every decision (§6).
    /// </summary>
    public ResourceEngine(CpuTopology topology, TopologyManagerOptions topologyManager, CpuManagerOptions? cpuManager, MemoryManagerOptions? memoryManager, MemoryQosOptions? memoryQos = null, QosCgroupLayout? qosLayout = null)
    {
        _topology = topology;
        _tmOptions = topologyManager;
        if (topologyManager.MaxAllowableNumaNodes < 8)
        {
            throw new ArgumentException("the minimum value of \"max-allowable-numa-nodes\" should not be less than 8");
        }
        if (topologyManager.Policy != TopologyPolicy.None && topology.NumNumaNodes > topologyManager.MaxAllowableNumaNodes)
        {
            throw new ArgumentException($"unsupported on machines with more than {topologyManager.MaxAllowableNumaNodes} NUMA Nodes (this one has {topology.NumNumaNodes}); raise max-allowable-numa-nodes or use topology manager policy none");
        }
        if (topologyManager.PreferClosestNumaNodes && !topology.HasDistances && topology.NumNumaNodes > 1)
        {
            throw new ArgumentException("error getting NUMA distances: prefer-closest-numa-nodes needs the NUMA distance matrix");
        }
        _merger = new HintMerger(topologyManager, topology);
        _cpu = cpuManager is null ? null : new StaticCpuPolicy(topology, cpuManager, topologyManager.Policy == TopologyPolicy.SingleNumaNode);
        _cpuHints = new HintList(NumaMask.MaskCount(Math.Min(topology.NumNumaNodes, 16)) + 1, "cpu");
        if (memoryManager is not null)
        {
            foreach (NumaMemoryInfo node in memoryManager.Nodes)
            {
                if ((topology.AllNumaMask & (1UL << node.NodeId)) == 0 || node.NodeId >= 64)
                {
                    throw new ArgumentException($"the memory manager's NUMA node {node.NodeId} is not a NUMA node of the CPU topology");
                }
            }
            _memory = new StaticMemoryPolicy(memoryManager);
            ReadOnlySpan<HintList> memoryLists = _memory.HintLists;
            _lists = [_cpuHints, memoryLists[0], memoryLists[1], memoryLists[2]];
        }
        else
        {
            _lists = [_cpuHints];
        }
        if (memoryQos is not null)
        {
            IReadOnlyList<string> problems = memoryQos.Problems();
            if (problems.Count > 0)
            {
                throw new ArgumentException("invalid Memory QoS configuration: " + string.Join("; ", problems));
            }
            _memoryQos = memoryQos;
            _qosAccounting = new MemoryQosAccounting(memoryQos, qosLayout ?? new QosCgroupLayout(CgroupDriver.Cgroupfs));
        }
    }

    public CpuTopology Topology => _topology;

    public TopologyManagerOptions TopologyManager => _tmOptions;

    /// <summary>The static CPU policy, or null when CPU management is off.</summary>
    public StaticCpuPolicy? Cpu => _cpu;

    /// <summary>The Static memory policy, or null when memory management is off.</summary>
    public StaticMemoryPolicy? Memory => _memory;

    /// <summary>Memory QoS settings, or null when Memory QoS is off.</summary>
    public MemoryQosOptions? MemoryQos => _memoryQos;

    /// <summary>The pods' memory requests behind the QoS-parent values (part of the state), or null when Memory QoS is off.</summary>
    public MemoryQosAccounting? MemoryQosAccounting => _qosAccounting;

    /// <summary>
    /// Admits one container (hint merge, then allocation). On refusal <paramref name="error"/> says
    /// which manager refused what and why; the state is unchanged.
    /// </summary>
    public bool TryAdmitContainer(PodSpec pod, ContainerSpec container, string containerId, bool nodeSharedInUse, out ContainerDecision decision, out string? error)
    {
        decision = default;
        error = null;
        bool podScope = _tmOptions.Scope == TopologyScope.Pod;
        TopologyHint hint;
        if (podScope)
        {
            if (!_podHints.TryGetValue(pod.Uid, out hint))
            {
                if (_cpu is null)
                {
                    _cpuHints.SetNoPreference();
                }
                else
                {
                    _cpu.PodHints(pod, _cpuHints);
                }
                _memory?.PodHints(pod);
                if (!_merger.TryAdmit(_lists, out hint))
                {
                    error = TopologyRefusal("pod", pod, container, hint);
                    return false;
                }
                _podHints[pod.Uid] = hint;
            }
        }
        else
        {
            if (_cpu is null)
            {
                _cpuHints.SetNoPreference();
            }
            else
            {
                _cpu.ContainerHints(pod, container, _cpuHints);
            }
            _memory?.ContainerHints(pod, container);
            if (!_merger.TryAdmit(_lists, out hint))
            {
                error = TopologyRefusal("container", pod, container, hint);
                return false;
            }
        }
        decision.Hint = hint;

        // Memory decides first without changing anything, so a memory refusal never leaves CPUs
        // allocated; it commits after the CPU manager (the kubelet's allocation order, §2.1).
        MemoryPlan memoryPlan = default;
        if (_memory is not null && !_memory.TryPlan(pod, container, hint, podScope, out memoryPlan, out error))
        {
            error = $"Memory manager (Static policy) refused container {container.Name} of pod {pod}: {error}";
            return false;
        }
        if (_cpu is not null)
        {
            decision.ManagesCpu = true;
            if (!_cpu.TryAdmit(pod, container, containerId, hint, podScope, nodeSharedInUse, out decision.Cpu, out error))
            {
                error = $"CPU manager (static policy) refused container {container.Name} of pod {pod}: {error}";
                return false;
            }
        }
        if (_memory is not null)
        {
            decision.ManagesMemory = true;
            decision.Memory = _memory.Commit(memoryPlan, pod, container, containerId);
        }
        if (_memoryQos is not null)
        {
            decision.MemoryQos = MemoryQosCalculator.ForContainer(pod.Qos, container.Resources, _memoryQos);
        }
        return true;
    }

    private string TopologyRefusal(string scope, PodSpec pod, ContainerSpec container, TopologyHint best) =>
        $"TopologyAffinityError: topology manager policy {TopologyManagerOptions.PolicyName(_tmOptions.Policy)} (scope {scope}) refused container {container.Name} of pod {pod}: " +
        $"Resources cannot be allocated with Topology locality; best merged hint {best}; provider hints: {string.Join("; ", _lists.Select(l => l.ToString()))}";

    /// <summary>Releases a container (CPUs and memory blocks); true when the node shared CPU pool changed (shared containers need updates).</summary>
    public bool ReleaseContainer(string podUid, string containerName, string? containerId)
    {
        var key = new ContainerKey(podUid, containerName);
        _memory?.Release(key, containerId);
        return _cpu?.Release(key, containerId) ?? false;
    }

    /// <summary>Forgets a pod's stored Topology Manager hint (pod removed).</summary>
    public void ForgetPod(string podUid) => _podHints.Remove(podUid);

    /// <summary>
    /// The state to checkpoint (docs/state.md): CPU pools and entries, pod budgets and stored pod
    /// hints, in a stable order so equal states give equal files.
    /// </summary>
    public EngineSnapshot Snapshot()
    {
        var hints = _podHints.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new PodHintSnapshot(p.Key, p.Value.Mask, p.Value.Preferred)).ToArray();
        MemorySnapshot? memory = _memory is null ? null : new MemorySnapshot
        {
            Containers = _memory.Containers
                .OrderBy(p => p.Key.PodUid, StringComparer.Ordinal).ThenBy(p => p.Key.Name, StringComparer.Ordinal)
                .Select(p => new ContainerMemorySnapshot(p.Key.PodUid, p.Key.Name, p.Value.ContainerId ?? "", p.Value.Kind, p.Value.Role, p.Value.Mask, p.Value.Blocks, p.Value.Resources))
                .ToArray(),
            Pods = _memory.Pods.OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => new PodMemorySnapshot(p.Key, p.Value.Mask, p.Value.Totals, p.Value.SidecarMemory, p.Value.AppExclusive, p.Value.Containers))
                .ToArray(),
        };
        MemoryQosSnapshot? memoryQos = _qosAccounting is null ? null : new MemoryQosSnapshot
        {
            Pods = _qosAccounting.Pods.OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => new PodMemoryQosSnapshot(p.Key, p.Value.Qos, p.Value.RequestBytes)).ToArray(),
        };
        if (_cpu is null)
        {
            return new EngineSnapshot { CpuPolicy = SnapshotValidation.NonePolicyName, PodHints = hints, Memory = memory, MemoryQos = memoryQos };
        }
        return new EngineSnapshot
        {
            CpuPolicy = SnapshotValidation.StaticPolicyName,
            ReservedCpus = _cpu.Reserved,
            DefaultCpus = _cpu.DefaultSet,
            Containers = _cpu.Containers
                .OrderBy(p => p.Key.PodUid, StringComparer.Ordinal).ThenBy(p => p.Key.Name, StringComparer.Ordinal)
                .Select(p => new ContainerCpuSnapshot(p.Key.PodUid, p.Key.Name, p.Value.ContainerId ?? "", p.Value.Kind, p.Value.Eligible, p.Value.Role, p.Value.Cpus))
                .ToArray(),
            Pods = _cpu.Pods.OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => new PodCpuSnapshot(p.Key, p.Value.Bubble, p.Value.SidecarCpus, p.Value.SharedPool, p.Value.Containers))
                .ToArray(),
            PodHints = hints,
            Memory = memory,
            MemoryQos = memoryQos,
        };
    }

    /// <summary>
    /// Replaces the state with a checkpoint after validating it against this machine and
    /// configuration (spec/resource-managers.md §3.11). Returns the problems found; when there are
    /// any the engine is left exactly as it was, so the caller decides (docs/state.md) instead of
    /// half-trusting a file.
    /// </summary>
    public IReadOnlyList<string> Restore(EngineSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        List<string> problems = SnapshotValidation.Check(snapshot, _topology, _cpu);
        if ((_memory is null) != (snapshot.Memory is null))
        {
            // §4.7/§3.11: a policy change needs a drained node.
            problems.Add($"configured memory manager policy \"{(_memory is null ? "None" : "Static")}\" is different from \"{(snapshot.Memory is null ? "None" : "Static")}\" in the state file");
        }
        if (problems.Count > 0)
        {
            return problems;
        }
        if (_memory is not null)
        {
            // Validates and, only when it fits, replaces the memory state; CPU state is replaced after.
            List<string> memoryProblems = _memory.ReplaceState(snapshot.Memory!);
            if (memoryProblems.Count > 0)
            {
                return memoryProblems;
            }
        }
        _cpu?.ReplaceState(
            snapshot.DefaultCpus,
            snapshot.Containers.Select(c => KeyValuePair.Create(
                new ContainerKey(c.PodUid, c.ContainerName),
                new ContainerCpuEntry { Kind = c.Kind, Eligible = c.Eligible, Role = c.Role, ContainerId = c.ContainerId, Cpus = c.Cpus })),
            snapshot.Pods.Select(p => KeyValuePair.Create(
                p.PodUid,
                new PodCpuEntry { Bubble = p.Bubble, SidecarCpus = p.SidecarCpus, SharedPool = p.SharedPool, Containers = p.Containers })));
        _podHints.Clear();
        foreach (PodHintSnapshot hint in snapshot.PodHints)
        {
            _podHints[hint.PodUid] = new TopologyHint(hint.NumaMask, hint.Preferred);
        }
        // A file written with Memory QoS off (or by an older binary) has no accounting: Synchronize rebuilds it.
        _qosAccounting?.Replace(snapshot.MemoryQos?.Pods.Select(p => (p.PodUid, p.Qos, p.RequestBytes)) ?? []);
        return problems;
    }

    /// <summary>The pod UID and container name of the entry <paramref name="containerId"/> owns in any manager (restart: the plugin knows only ids).</summary>
    public bool TryFindContainer(string containerId, out string podUid, out string containerName)
    {
        if (_cpu is not null)
        {
            foreach (KeyValuePair<ContainerKey, ContainerCpuEntry> pair in _cpu.Containers)
            {
                if (string.Equals(pair.Value.ContainerId, containerId, StringComparison.Ordinal))
                {
                    (podUid, containerName) = (pair.Key.PodUid, pair.Key.Name);
                    return true;
                }
            }
        }
        if (_memory is not null)
        {
            foreach (KeyValuePair<ContainerKey, ContainerMemoryEntry> pair in _memory.Containers)
            {
                if (string.Equals(pair.Value.ContainerId, containerId, StringComparison.Ordinal))
                {
                    (podUid, containerName) = (pair.Key.PodUid, pair.Key.Name);
                    return true;
                }
            }
        }
        (podUid, containerName) = ("", "");
        return false;
    }

    /// <summary>Every container entry of every manager, once each, with the runtime id that owns it.</summary>
    public List<(ContainerKey Key, string ContainerId)> ListContainers()
    {
        var seen = new HashSet<ContainerKey>();
        var list = new List<(ContainerKey, string)>();
        foreach (KeyValuePair<ContainerKey, ContainerCpuEntry> pair in _cpu?.Containers ?? Enumerable.Empty<KeyValuePair<ContainerKey, ContainerCpuEntry>>())
        {
            if (seen.Add(pair.Key))
            {
                list.Add((pair.Key, pair.Value.ContainerId ?? ""));
            }
        }
        foreach (KeyValuePair<ContainerKey, ContainerMemoryEntry> pair in _memory?.Containers ?? Enumerable.Empty<KeyValuePair<ContainerKey, ContainerMemoryEntry>>())
        {
            if (seen.Add(pair.Key))
            {
                list.Add((pair.Key, pair.Value.ContainerId ?? ""));
            }
        }
        return list;
    }

    /// <summary>Every pod the state holds anything for: container entries, budgets, pod hints, Memory QoS requests.</summary>
    public HashSet<string> ListPods()
    {
        var pods = new HashSet<string>(StringComparer.Ordinal);
        foreach ((ContainerKey key, _) in ListContainers())
        {
            pods.Add(key.PodUid);
        }
        pods.UnionWith(_podHints.Keys);
        if (_qosAccounting is not null)
        {
            pods.UnionWith(_qosAccounting.Pods.Keys);
        }
        return pods;
    }

    /// <summary>
    /// Releases everything a pod holds in every manager, whichever container id owns the entries
    /// (pod removed, or gone while the plugin was away), and forgets its pod hint. True when the
    /// node shared CPU pool changed.
    /// </summary>
    public bool ReleasePod(string podUid)
    {
        bool nodePoolChanged = false;
        foreach ((ContainerKey key, _) in ListContainers())
        {
            if (string.Equals(key.PodUid, podUid, StringComparison.Ordinal))
            {
                nodePoolChanged |= ReleaseContainer(key.PodUid, key.Name, null);
            }
        }
        ForgetPod(podUid);
        return nodePoolChanged;
    }

    /// <summary>The cpuset a container must have now; the whole machine when CPU management is off.</summary>
    public CpuSet EffectiveCpus(string podUid, string containerName) =>
        _cpu?.EffectiveCpus(new ContainerKey(podUid, containerName)) ?? _topology.AllCpus;

    /// <summary>The NUMA memory nodes a container must have now (cpuset.mems); 0 = unrestricted.</summary>
    public ulong EffectiveMems(string podUid, string containerName) =>
        _memory?.EffectiveMems(new ContainerKey(podUid, containerName)) ?? 0;
}
