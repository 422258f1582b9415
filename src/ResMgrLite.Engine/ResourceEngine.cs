using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.MemoryQos;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.PodLevel;
using ResMgrLite.Engine.State;
using ResMgrLite.Engine.TopologyManagement;

namespace ResMgrLite.Engine;

/// <summary>
/// The admission pipeline of the kubelet's container manager, for one node: Topology Manager hint
/// merge (container or pod scope, docs/kubelet-rules.md §2.5, §2.6), then every provider plans
/// and, only when all of them can, every provider commits ("plan all, then commit all"). Each
/// decision carries its effects (<see cref="EngineEffects"/>). Pure and deterministic: the same calls
/// in the same order give the same decisions; admission and release allocate nothing once the
/// engine's tables have grown.
/// </summary>
internal sealed partial class ResourceEngine
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
    private readonly EngineEffects _effects = new();

    // Changes of what only the engine facade holds (pod hints, Memory QoS accounting).
    private long _ownVersion;

    private ResourceEngine(CpuTopology topology, TopologyManagerOptions topologyManager, StaticCpuPolicy? cpu, StaticMemoryPolicy? memory, MemoryQosOptions? memoryQos)
    {
        _topology = topology;
        _tmOptions = topologyManager;
        _merger = new HintMerger(topologyManager, topology.NumaDistances);
        _cpu = cpu;
        _memory = memory;
        _cpuHints = new HintList(NumaMask.MaskCount(Math.Min(topology.NumNumaNodes, 16)) + 1, "cpu");
        if (memory is not null)
        {
            ReadOnlySpan<HintList> memoryLists = memory.HintLists;
            _lists = [_cpuHints, memoryLists[0], memoryLists[1], memoryLists[2]];
        }
        else
        {
            _lists = [_cpuHints];
        }
        if (memoryQos is not null)
        {
            _memoryQos = memoryQos;
            _qosAccounting = new MemoryQosAccounting(memoryQos);
        }
    }

    /// <summary>
    /// Starts an engine: the CPU manager (static policy) when <paramref name="cpuManager"/> is given,
    /// the Memory Manager as the second hint provider (after the CPU manager, §2.1) when
    /// <paramref name="memoryManager"/> is given, and Memory QoS values in every decision (§6) when
    /// <paramref name="memoryQos"/> is given. Every configuration problem is reported in the result.
    /// </summary>
    public static EngineStartResult Start(CpuTopology topology, TopologyManagerOptions topologyManager, CpuManagerOptions? cpuManager = null, MemoryManagerOptions? memoryManager = null, MemoryQosOptions? memoryQos = null)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(topologyManager);
        var problems = new List<string>();
        if (topologyManager.MaxAllowableNumaNodes < 8)
        {
            problems.Add("the minimum value of \"max-allowable-numa-nodes\" should not be less than 8");
        }
        else if (topologyManager.Policy != TopologyPolicy.None && topology.NumNumaNodes > topologyManager.MaxAllowableNumaNodes)
        {
            problems.Add($"unsupported on machines with more than {topologyManager.MaxAllowableNumaNodes} NUMA Nodes (this one has {topology.NumNumaNodes}); raise max-allowable-numa-nodes or use topology manager policy none");
        }
        if (topologyManager.PreferClosestNumaNodes && !topology.HasDistances && topology.NumNumaNodes > 1)
        {
            problems.Add("error getting NUMA distances: prefer-closest-numa-nodes needs the NUMA distance matrix");
        }
        StaticCpuPolicy? cpu = cpuManager is null ? null
            : StaticCpuPolicy.TryCreate(topology, cpuManager, topologyManager.Policy == TopologyPolicy.SingleNumaNode, problems);
        StaticMemoryPolicy? memory = null;
        if (memoryManager is not null)
        {
            int before = problems.Count;
            foreach (NumaMemoryInfo node in memoryManager.Nodes)
            {
                if ((uint)node.NodeId >= 64 || (topology.AllNumaMask & (1UL << node.NodeId)) == 0)
                {
                    problems.Add($"the memory manager's NUMA node {node.NodeId} is not a NUMA node of the CPU topology");
                }
            }
            if (problems.Count == before)
            {
                memory = StaticMemoryPolicy.TryCreate(memoryManager, problems);
            }
        }
        if (memoryQos is not null)
        {
            foreach (string problem in memoryQos.Problems())
            {
                problems.Add("invalid Memory QoS configuration: " + problem);
            }
        }
        return problems.Count > 0
            ? new EngineStartResult(null, problems)
            : new EngineStartResult(new ResourceEngine(topology, topologyManager, cpu, memory, memoryQos), []);
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

    /// <summary>Changes whenever anything the state file holds changes (compare, do not interpret).</summary>
    public long StateVersion => (_cpu?.Version ?? 0) + (_memory?.Version ?? 0) + _ownVersion;

    /// <summary>
    /// Changes whenever exclusive CPUs, memory blocks, pod budgets or their slices are handed out or
    /// returned: what a restart must not forget (a subset of <see cref="StateVersion"/>'s changes).
    /// </summary>
    public long ExclusiveVersion => (_cpu?.ExclusiveVersion ?? 0) + (_memory?.ExclusiveVersion ?? 0);

    // ---- admission ------------------------------------------------------------------------------------

    /// <summary>
    /// Admits one container (hint merge, then every manager plans, then every manager commits). On
    /// refusal <paramref name="error"/> says which manager refused what and why; the state is
    /// unchanged. The decision's effects are valid until the next call.
    /// </summary>
    public bool TryAdmitContainer(PodSpec pod, ContainerSpec container, string containerId, out ContainerDecision decision, out string? error)
    {
        decision = default;
        error = null;
        long versionBefore = StateVersion;
        bool podScope = _tmOptions.Scope == TopologyScope.Pod;
        TopologyHint hint;
        bool newPodHint = false;
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
                newPodHint = true;
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

        // Plan all: nothing changes until every manager has said yes, so a refusal never leaves half an admission.
        MemoryPlan memoryPlan = default;
        if (_memory is not null && !_memory.TryPlan(pod, container, hint, podScope, out memoryPlan, out error))
        {
            error = $"Memory manager (Static policy) refused container {container.Name} of pod {pod}: {error}";
            return false;
        }
        CpuPlan cpuPlan = default;
        if (_cpu is not null && !_cpu.TryPlan(pod, container, hint, podScope, out cpuPlan, out error))
        {
            error = $"CPU manager (static policy) refused container {container.Name} of pod {pod}: {error}";
            return false;
        }

        // Commit all, in the kubelet's allocation order (§2.1).
        if (newPodHint)
        {
            _podHints[pod.Uid] = hint;
            _ownVersion++;
        }
        _effects.Clear();
        decision.Key = new ContainerKey(pod.Uid, container.Name);
        decision.Hint = hint;
        if (_cpu is not null)
        {
            decision.Cpu = _cpu.Commit(cpuPlan, pod, container, containerId);
            decision.Cpu.NumaAffinity = hint.Mask;
        }
        if (_memory is not null)
        {
            decision.Memory = _memory.Commit(memoryPlan, pod, container, containerId);
        }
        decision.Settings = Settings(pod, container, decision.Cpu, decision.Memory);
        CollectPoolChanges(decision.Cpu.NodeSharedPoolChanged, decision.Cpu.PodSharedPoolChanged ? pod.Uid : null, decision.Key);
        if (_qosAccounting is not null && _qosAccounting.UpsertPod(pod.Uid, pod.Qos, PodMemoryRequest.Of(pod), _effects.Writes))
        {
            _ownVersion++;
        }
        if (_cpu is not null)
        {
            CpuQuotaRule.PlanPodQuota(decision.Cpu.PodHasExclusive, pod.Uid, pod.Qos, _effects.Writes);
        }
        decision.StateChanged = StateVersion != versionBefore;
        decision.Effects = _effects;
        return true;
    }

    private string TopologyRefusal(string scope, PodSpec pod, ContainerSpec container, TopologyHint best) =>
        $"TopologyAffinityError: topology manager policy {TopologyManagerOptions.PolicyName(_tmOptions.Policy)} (scope {scope}) refused container {container.Name} of pod {pod}: " +
        $"Resources cannot be allocated with Topology locality; best merged hint {best}; provider hints: {string.Join("; ", Array.ConvertAll(_lists, static l => l.ToString()))}";

    /// <summary>The settings of an admitted container from the managers' decisions.</summary>
    private ContainerSettings Settings(PodSpec pod, ContainerSpec container, in CpuDecision cpu, in MemoryDecision memory)
    {
        var settings = new ContainerSettings { ManagesCpu = _cpu is not null, ManagesMemory = _memory is not null };
        if (_cpu is not null)
        {
            settings.Cpus = cpu.Cpus;
            settings.Level = cpu.Level;
        }
        if (_memory is not null)
        {
            settings.Mems = memory.Mems;
            settings.Hugepages2MiLimitBytes = memory.Hugepages2MiLimitBytes;
            settings.Hugepages1GiLimitBytes = memory.Hugepages1GiLimitBytes;
        }
        if (_memoryQos is not null)
        {
            settings.MemoryQos = MemoryQosCalculator.ForContainer(pod.Qos, container.Resources, _memoryQos);
        }
        return settings;
    }

    /// <summary>
    /// Everything a container must have now, from the managers' entries (an update restates it
    /// whole): cpus and quota only when the CPU manager holds an entry for it, memory nodes and
    /// hugepage limits only when the memory manager does, Memory QoS knobs whenever it is on.
    /// </summary>
    public ContainerSettings SettingsOf(PodSpec pod, ContainerSpec container)
    {
        var key = new ContainerKey(pod.Uid, container.Name);
        CpuDecision cpu = default;
        MemoryDecision memory = default;
        bool cpuEntry = _cpu is not null && _cpu.Containers.TryGetValue(key, out ContainerCpuEntry entry) && Describe(key, entry, ref cpu);
        bool memoryEntry = _memory is not null && _memory.TryDescribe(key, container, out memory);
        ContainerSettings settings = Settings(pod, container, cpu, memory);
        settings.ManagesCpu = cpuEntry;
        settings.ManagesMemory = memoryEntry;
        return settings;
    }

    private bool Describe(ContainerKey key, in ContainerCpuEntry entry, ref CpuDecision cpu)
    {
        cpu.Cpus = _cpu!.EffectiveCpus(key);
        cpu.Level = StaticCpuPolicy.LevelOf(entry.Kind);
        return true;
    }

    /// <summary>Adds the runtime ids of every entry <paramref name="podUid"/> holds in any manager.</summary>
    public void CollectContainerIds(string podUid, List<string> into)
    {
        if (_cpu is not null)
        {
            foreach (KeyValuePair<ContainerKey, ContainerCpuEntry> pair in _cpu.Containers)
            {
                if (string.Equals(pair.Key.PodUid, podUid, StringComparison.Ordinal) && pair.Value.ContainerId is { Length: > 0 } id)
                {
                    into.Add(id);
                }
            }
        }
        if (_memory is not null)
        {
            foreach (KeyValuePair<ContainerKey, ContainerMemoryEntry> pair in _memory.Containers)
            {
                if (string.Equals(pair.Key.PodUid, podUid, StringComparison.Ordinal) && pair.Value.ContainerId is { Length: > 0 } id && !into.Contains(id))
                {
                    into.Add(id);
                }
            }
        }
    }

    private void CollectPoolChanges(bool nodePoolChanged, string? podPoolUid, in ContainerKey except)
    {
        if (_cpu is null)
        {
            return;
        }
        _effects.NodePoolCpus = _cpu.DefaultSet;
        if (podPoolUid is not null && _cpu.Pods.TryGetValue(podPoolUid, out PodCpuEntry pod))
        {
            _effects.PodPoolCpus = pod.SharedPool;
        }
        if (nodePoolChanged || podPoolUid is not null)
        {
            _cpu.CollectPoolMembers(nodePoolChanged, podPoolUid, except, _effects.Changes);
        }
    }

    // ---- release --------------------------------------------------------------------------------------

    /// <summary>
    /// Releases a container in every manager when <paramref name="containerId"/> still owns its
    /// entries (null: whoever owns them). The effects list the containers whose pool widened.
    /// </summary>
    public ReleaseDecision ReleaseContainer(ContainerKey key, string? containerId)
    {
        long versionBefore = StateVersion;
        _effects.Clear();
        _memory?.Release(key, containerId);
        bool nodePoolChanged = _cpu?.Release(key, containerId) ?? false;
        CollectPoolChanges(nodePoolChanged, null, default);
        return new ReleaseDecision(StateVersion != versionBefore, _effects);
    }

    /// <summary>
    /// Releases everything a pod holds in every manager, whichever container id owns the entries (pod
    /// removed, or gone while the plugin was away), its pod hint and its Memory QoS share. The effects
    /// list the containers whose pool widened and the QoS parents' lowering.
    /// </summary>
    public ReleaseDecision ReleasePod(string podUid)
    {
        long versionBefore = StateVersion;
        _effects.Clear();
        _memory?.ReleasePod(podUid);
        bool nodePoolChanged = _cpu?.ReleasePod(podUid) ?? false;
        if (_podHints.Remove(podUid))
        {
            _ownVersion++;
        }
        if (_qosAccounting is not null && _qosAccounting.RemovePod(podUid, _effects.Writes))
        {
            _ownVersion++;
        }
        ForgetResize(podUid);
        CollectPoolChanges(nodePoolChanged, null, default);
        return new ReleaseDecision(StateVersion != versionBefore, _effects);
    }

    /// <summary>Appends both QoS parents as the accounting says (start-up, or after a failed write: what the files hold is unknown).</summary>
    public void PlanQosParentsResync(List<PodCgroupWrite> plan) => _qosAccounting?.PlanResync(plan);

    // ---- lookups --------------------------------------------------------------------------------------

    /// <summary>The pod UID and container name of the entry <paramref name="containerId"/> owns in any manager (restart: the plugin knows only ids).</summary>
    public bool TryFindContainer(string containerId, out ContainerKey key)
    {
        if (_cpu is not null)
        {
            foreach (KeyValuePair<ContainerKey, ContainerCpuEntry> pair in _cpu.Containers)
            {
                if (string.Equals(pair.Value.ContainerId, containerId, StringComparison.Ordinal))
                {
                    key = pair.Key;
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
                    key = pair.Key;
                    return true;
                }
            }
        }
        key = default;
        return false;
    }

    /// <summary>Every container entry of every manager, once each, with the runtime id that owns it (Synchronize, the stale-state pass).</summary>
    public List<(ContainerKey Key, string ContainerId)> ListContainers()
    {
        var seen = new HashSet<ContainerKey>();
        var list = new List<(ContainerKey, string)>();
        if (_cpu is not null)
        {
            foreach (KeyValuePair<ContainerKey, ContainerCpuEntry> pair in _cpu.Containers)
            {
                if (seen.Add(pair.Key))
                {
                    list.Add((pair.Key, pair.Value.ContainerId ?? ""));
                }
            }
        }
        if (_memory is not null)
        {
            foreach (KeyValuePair<ContainerKey, ContainerMemoryEntry> pair in _memory.Containers)
            {
                if (seen.Add(pair.Key))
                {
                    list.Add((pair.Key, pair.Value.ContainerId ?? ""));
                }
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
        if (_cpu is not null)
        {
            pods.UnionWith(_cpu.Pods.Keys);
        }
        if (_memory is not null)
        {
            pods.UnionWith(_memory.Pods.Keys);
        }
        pods.UnionWith(_podHints.Keys);
        pods.UnionWith(_resizes.Keys);
        if (_qosAccounting is not null)
        {
            pods.UnionWith(_qosAccounting.Pods.Keys);
        }
        return pods;
    }

    /// <summary>The cpuset a container must have now; the whole machine when CPU management is off.</summary>
    public CpuSet EffectiveCpus(ContainerKey key) => _cpu?.EffectiveCpus(key) ?? _topology.AllCpus;

    /// <summary>The NUMA memory nodes a container must have now (cpuset.mems); 0 = unrestricted.</summary>
    public ulong EffectiveMems(ContainerKey key) => _memory?.EffectiveMems(key) ?? 0;

    // ---- state ----------------------------------------------------------------------------------------

    /// <summary>
    /// The state to checkpoint (docs/state.md): CPU pools and entries, pod budgets, stored pod hints,
    /// memory blocks, init reuse and the Memory QoS accounting, in a stable order so equal states give
    /// equal files.
    /// </summary>
    public EngineSnapshot Snapshot() => EngineState.Capture(_cpu, _memory, _podHints, _qosAccounting) with { Resizes = CaptureResizes() };

    /// <summary>
    /// Replaces the state with a checkpoint after validating it against this machine and
    /// configuration (docs/kubelet-rules.md §3.11). Returns the problems found; when there are
    /// any the engine is left exactly as it was, so the caller decides (docs/state.md) instead of
    /// half-trusting a file.
    /// </summary>
    public IReadOnlyList<string> Restore(EngineSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        List<string> problems = EngineState.Restore(snapshot, _topology, _cpu, _memory);
        if (problems.Count > 0)
        {
            return problems;
        }
        _podHints.Clear();
        foreach (PodHintSnapshot hint in snapshot.PodHints)
        {
            _podHints[hint.PodUid] = new TopologyHint(hint.NumaMask, hint.Preferred);
        }
        // A file written with Memory QoS off (or by format 1) has no accounting: Synchronize rebuilds it.
        if (_qosAccounting is not null)
        {
            var pods = new List<(string PodUid, QosClass Qos, long RequestBytes)>();
            foreach (PodMemoryQosSnapshot pod in snapshot.MemoryQos?.Pods ?? [])
            {
                pods.Add((pod.PodUid, pod.Qos, pod.RequestBytes));
            }
            _qosAccounting.Replace(pods);
        }
        RestoreResizes(snapshot.Resizes);
        _ownVersion++;
        return problems;
    }
}
