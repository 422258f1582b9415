using System.Runtime.InteropServices;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.PodLevel;
using ResMgrLite.Engine.TopologyManagement;

namespace ResMgrLite.Engine.Cpu;

/// <summary>
/// The kubelet's CPU Manager <c>static</c> policy (spec/resource-managers.md §3) with KEP-5526
/// pod-level budgets (§5), as a pure state machine: hints in, decisions out. Allocation-free on
/// admission and release once its dictionaries have grown to the working set.
/// </summary>
public sealed class StaticCpuPolicy
{
    private readonly CpuTopology _topology;
    private readonly CpuManagerOptions _options;
    private readonly CpuTaker _taker;
    private readonly TakeOptions _takeOptions;
    private readonly ulong[] _masks;
    private readonly int[] _numaTotal;
    private readonly int[] _numaAvailable;

    private readonly Dictionary<ContainerKey, ContainerCpuEntry> _containers = new(256);
    private readonly Dictionary<string, PodCpuEntry> _pods = new(64, StringComparer.Ordinal);

    // Init-container reuse (§3.9): only the pod being admitted is kept.
    private string? _reusePod;
    private CpuSet _reusable;

    public StaticCpuPolicy(CpuTopology topology, CpuManagerOptions options, bool singleNumaNodePolicy = false)
    {
        _topology = topology;
        _options = options;
        string[] problems = options.Problems(topology, singleNumaNodePolicy).ToArray();
        if (problems.Length > 0)
        {
            throw new ArgumentException("invalid CPU manager configuration: " + string.Join("; ", problems));
        }
        _taker = new CpuTaker(topology);
        _takeOptions = options.TakeOptions(topology);

        if (!options.ReservedCpus.IsEmpty)
        {
            Reserved = options.ReservedCpus;
        }
        else
        {
            // §3.1: a reserved count is chosen by the same take-by-topology as containers.
            if (!_taker.TryTake(topology.AllCpus, options.ReservedCpuCount, _takeOptions, out CpuSet reserved, out string? error) ||
                reserved.Count != options.ReservedCpuCount)
            {
                throw new ArgumentException($"unable to reserve the required amount of CPUs (size of {reserved} did not equal {options.ReservedCpuCount}): {error}");
            }
            Reserved = reserved;
        }
        ReservedPhysical = topology.WholeCoresOf(Reserved);
        DefaultSet = options.StrictCpuReservation ? topology.AllCpus.Except(Reserved) : topology.AllCpus;

        int numaCount = topology.NumNumaNodes;
        if (numaCount <= 16)
        {
            _masks = new ulong[NumaMask.MaskCount(numaCount)];
            NumaMask.IterateBitMasks(topology.NumaNodeIds, _masks);
        }
        else
        {
            _masks = [];
        }
        _numaTotal = new int[numaCount];
        _numaAvailable = new int[numaCount];
        for (int i = 0; i < numaCount; i++)
        {
            _numaTotal[i] = topology.NumaNodes.SizeOf(i);
        }
    }

    public CpuTopology Topology => _topology;

    public CpuManagerOptions Options => _options;

    public CpuSet Reserved { get; }

    /// <summary>Every thread of every core holding a reserved CPU (full-pcpus-only).</summary>
    public CpuSet ReservedPhysical { get; }

    /// <summary>The node shared ("default") pool: all CPUs not exclusively assigned (§3.1).</summary>
    public CpuSet DefaultSet { get; private set; }

    /// <summary>Default minus reserved: what exclusive allocations may take (§3.1).</summary>
    public CpuSet AvailableForExclusive => DefaultSet.Except(Reserved);

    /// <summary>All minus reserved (reporting).</summary>
    public CpuSet Allocatable => _topology.AllCpus.Except(Reserved);

    public IReadOnlyDictionary<ContainerKey, ContainerCpuEntry> Containers => _containers;

    public IReadOnlyDictionary<string, PodCpuEntry> Pods => _pods;

    private bool PodLevelActive(PodSpec pod) => _options.PodLevelResourceManagers && pod.HasPodLevelResources;

    // ---- who gets exclusive CPUs ----------------------------------------------------------------

    /// <summary><c>guaranteedCPUs(pod, container)</c> (§3.2): exclusive CPU count, 0 = shared.</summary>
    public int GuaranteedCpus(PodSpec pod, ContainerSpec container)
    {
        if (pod.Qos != QosClass.Guaranteed)
        {
            return 0;
        }
        ContainerResources r = container.Resources;
        if (PodLevelActive(pod) && !r.IsGuaranteedShaped)
        {
            return 0;
        }
        if (!r.HasIntegralCpuRequest)
        {
            return 0;
        }
        return (int)Math.Min(int.MaxValue, r.CpuRequestMilli / 1000);
    }

    /// <summary><c>podGuaranteedCPUs(pod)</c> (§3.8): the pod-level integral request, or the KEP-753 sidecar formula.</summary>
    public int PodGuaranteedCpus(PodSpec pod)
    {
        if (PodLevelActive(pod))
        {
            if (pod.Qos != QosClass.Guaranteed || pod.PodLevel is not { } podLevel || !podLevel.HasIntegralCpuRequest)
            {
                return 0;
            }
            return (int)Math.Min(int.MaxValue, podLevel.CpuRequestMilli / 1000);
        }
        int sidecarSum = 0, initMax = 0, apps = 0;
        foreach (ContainerSpec c in pod.Containers)
        {
            if (c.Resources.CpuRequestMilli <= 0)
            {
                continue;
            }
            int n = GuaranteedCpus(pod, c);
            switch (c.Role)
            {
                case ContainerRole.Sidecar:
                    sidecarSum += n;
                    break;
                case ContainerRole.Init:
                    initMax = Math.Max(initMax, sidecarSum + n);
                    break;
                default:
                    apps += n;
                    break;
            }
        }
        return Math.Max(initMax, apps + sidecarSum);
    }

    // ---- hints (§3.8) -----------------------------------------------------------------------------

    /// <summary><c>GetTopologyHints(pod, container)</c> into <paramref name="hints"/>.</summary>
    public void ContainerHints(PodSpec pod, ContainerSpec container, HintList hints)
    {
        int request = GuaranteedCpus(pod, container);
        if (request == 0 || (pod.HasPodLevelResources && !_options.PodLevelResourceManagers))
        {
            hints.SetNoPreference();
            return;
        }
        if (_containers.TryGetValue(new ContainerKey(pod.Uid, container.Name), out ContainerCpuEntry existing) &&
            existing.Kind == CpuAssignmentKind.Exclusive)
        {
            if (existing.Cpus.Count != request)
            {
                hints.StartList();
                return;
            }
            GenerateHints(existing.Cpus, default, request, hints);
            return;
        }
        GenerateHints(AvailableForExclusive, ReusableFor(pod.Uid), request, hints);
    }

    /// <summary><c>GetPodTopologyHints(pod)</c> into <paramref name="hints"/>, with the §5.10 re-admission fix.</summary>
    public void PodHints(PodSpec pod, HintList hints)
    {
        int request = PodGuaranteedCpus(pod);
        if (request == 0 || (pod.HasPodLevelResources && !_options.PodLevelResourceManagers))
        {
            hints.SetNoPreference();
            return;
        }
        if (PodLevelActive(pod))
        {
            if (ValidatePodScope(pod) is not null)
            {
                hints.StartList();
                return;
            }
            if (_pods.TryGetValue(pod.Uid, out PodCpuEntry entry))
            {
                // Regenerate from the budget itself, not from per-container sets (§5.10).
                GenerateHints(entry.Bubble, default, entry.Bubble.Count, hints);
                return;
            }
            GenerateHints(AvailableForExclusive, default, request, hints);
            return;
        }
        CpuSet assigned = default;
        foreach (ContainerSpec c in pod.Containers)
        {
            if (_containers.TryGetValue(new ContainerKey(pod.Uid, c.Name), out ContainerCpuEntry e) && e.Kind == CpuAssignmentKind.Exclusive)
            {
                if (e.Cpus.Count != GuaranteedCpus(pod, c))
                {
                    hints.StartList();
                    return;
                }
                assigned = assigned.Union(e.Cpus);
            }
        }
        if (assigned.Count == request)
        {
            GenerateHints(assigned, default, request, hints);
            return;
        }
        GenerateHints(AvailableForExclusive, ReusableFor(pod.Uid).Union(assigned), request, hints);
    }

    /// <summary><c>generateCPUTopologyHints</c> (§3.8, §11 rule 1): preferred = as narrow as an empty machine allows.</summary>
    private void GenerateHints(in CpuSet available, in CpuSet reusable, int request, HintList hints)
    {
        hints.StartList();
        int numaCount = _topology.NumNumaNodes;
        for (int i = 0; i < numaCount; i++)
        {
            _numaAvailable[i] = available.CountIntersect(_topology.NumaNodes.CpusOf(i));
        }
        ulong reusableMask = _topology.NumaMaskOf(reusable);
        int reusableCount = reusable.Count;
        int minAffinitySize = numaCount;
        ReadOnlySpan<int> ids = _topology.NumaNodeIds;
        foreach (ulong mask in _masks)
        {
            int total = 0, matching = reusableCount;
            for (int i = 0; i < numaCount; i++)
            {
                if ((mask & (1UL << ids[i])) != 0)
                {
                    total += _numaTotal[i];
                    matching += _numaAvailable[i];
                }
            }
            if (total >= request)
            {
                minAffinitySize = Math.Min(minAffinitySize, NumaMask.Count(mask));
            }
            if ((reusableMask & ~mask) != 0)
            {
                continue;
            }
            if (matching >= request)
            {
                hints.Add(new TopologyHint(mask, false));
            }
        }
        for (int i = 0; i < hints.Count; i++)
        {
            ref TopologyHint hint = ref hints[i];
            bool preferred = NumaMask.Count(hint.Mask) == minAffinitySize ||
                (_options.AlignBySocket && IsSocketAligned(hint.Mask, minAffinitySize));
            hint = hint with { Preferred = preferred };
        }
    }

    private bool IsSocketAligned(ulong mask, int minAffinitySize)
    {
        int numaPerSocket = _topology.NumNumaNodes / Math.Max(1, _topology.NumSockets);
        if (numaPerSocket == 0)
        {
            return false;
        }
        int minSockets = (minAffinitySize + numaPerSocket - 1) / numaPerSocket;
        return _topology.SocketCountOfNumaMask(mask) == minSockets;
    }

    private CpuSet ReusableFor(string podUid) => string.Equals(_reusePod, podUid, StringComparison.Ordinal) ? _reusable : default;

    // ---- admission --------------------------------------------------------------------------------

    /// <summary>
    /// Admits one container with the Topology Manager's hint. Returns false with a kubelet-style
    /// reason when the container must be refused; the state is unchanged then.
    /// </summary>
    /// <param name="podScope">The Topology Manager runs in pod scope (decides whether a pod budget becomes a bubble, §5.2).</param>
    /// <param name="nodeSharedInUse">Whether any container runs on the node shared pool (fail closed: never empty it under them).</param>
    public bool TryAdmit(PodSpec pod, ContainerSpec container, string containerId, TopologyHint hint, bool podScope, bool nodeSharedInUse, out CpuDecision decision, out string? error)
    {
        decision = default;
        error = null;
        var key = new ContainerKey(pod.Uid, container.Name);
        ref ContainerCpuEntry existing = ref CollectionsMarshal.GetValueRefOrNullRef(_containers, key);
        if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref existing))
        {
            // Idempotent: a restarted or retried container keeps its entry (§3.3 step 4).
            existing.ContainerId = containerId;
            Describe(pod, key, existing, ref decision);
            decision.NumaAffinity = hint.Mask;
            return true;
        }

        bool admitted = podScope && PodLevelActive(pod) && PodGuaranteedCpus(pod) > 0
            ? TryAdmitIntoPodBudget(pod, container, containerId, hint, nodeSharedInUse, ref decision, out error)
            : TryAdmitClassic(pod, container, containerId, hint, nodeSharedInUse, ref decision, out error);
        decision.NumaAffinity = hint.Mask;
        return admitted;
    }

    private bool TryAdmitClassic(PodSpec pod, ContainerSpec container, string containerId, TopologyHint hint, bool nodeSharedInUse, ref CpuDecision decision, out string? error)
    {
        error = null;
        var key = new ContainerKey(pod.Uid, container.Name);
        int n = GuaranteedCpus(pod, container);
        if (n == 0 || (pod.HasPodLevelResources && !_options.PodLevelResourceManagers))
        {
            if (DefaultSet.IsEmpty)
            {
                error = "the node shared CPU pool is empty: every CPU is exclusively assigned, so a shared container cannot run (refused instead of running it on no CPU)";
                return false;
            }
            _containers[key] = new ContainerCpuEntry { Kind = CpuAssignmentKind.NodeShared, Role = container.Role, ContainerId = containerId };
            decision.Cpus = DefaultSet;
            decision.Level = CpuIsolationLevel.Host;
            decision.PodHasExclusive = PodHasExclusive(pod.Uid);
            return true;
        }
        if (!CheckSmtAlignment(n, out error))
        {
            return false;
        }
        CpuSet reusable = ReusableFor(pod.Uid);
        if (!TryAllocate(n, hint.Mask, reusable, nodeSharedInUse, out CpuSet cpus, out error))
        {
            return false;
        }
        _containers[key] = new ContainerCpuEntry { Kind = CpuAssignmentKind.Exclusive, Eligible = true, Role = container.Role, ContainerId = containerId, Cpus = cpus };
        UpdateReuse(pod.Uid, container.Role, cpus);
        decision.Cpus = cpus;
        decision.Level = CpuIsolationLevel.Container;
        decision.PodHasExclusive = true;
        decision.NodeSharedPoolChanged = true;
        return true;
    }

    /// <summary>§3.3 step 3 (<c>full-pcpus-only</c>); for pod budgets it applies to the pod total (§5.3 step 3).</summary>
    private bool CheckSmtAlignment(int n, out string? error)
    {
        error = null;
        if (!_options.FullPcpusOnly)
        {
            return true;
        }
        int perCore = _topology.CpusPerCore;
        if (perCore > 0 && n % perCore != 0)
        {
            error = $"SMTAlignmentError: SMT Alignment Error: requested {n} cpus not multiple cpus per core = {perCore}";
            return false;
        }
        int availablePhysical = DefaultSet.Except(ReservedPhysical).Count;
        if (n > availablePhysical)
        {
            error = $"SMTAlignmentError: SMT Alignment Error: not enough free physical CPUs: available physical CPUs = {availablePhysical}, requested CPUs = {n}, CPUs per core = {perCore}";
            return false;
        }
        return true;
    }

    /// <summary><c>allocateCPUs(n, mask, reusable)</c> (§3.3): aligned CPUs first, then spill; removes the result from the default pool.</summary>
    private bool TryAllocate(int n, ulong mask, in CpuSet reusable, bool nodeSharedInUse, out CpuSet result, out string? error)
    {
        result = default;
        CpuSet pool = AvailableForExclusive.Union(reusable);
        if (mask != 0)
        {
            CpuSet alignedTo = _options.AlignBySocket ? _topology.CpusOfSocketsSpanningNumaMask(mask) : _topology.CpusOfNumaMask(mask);
            CpuSet aligned = pool.Intersect(alignedTo);
            if (!_taker.TryTake(aligned, Math.Min(n, aligned.Count), _takeOptions, out result, out error))
            {
                return false;
            }
        }
        if (!_taker.TryTake(pool.Except(result), n - result.Count, _takeOptions, out CpuSet rest, out error))
        {
            result = default;
            return false;
        }
        result = result.Union(rest);
        CpuSet newDefault = DefaultSet.Except(result);
        if (newDefault.IsEmpty && nodeSharedInUse)
        {
            error = $"taking CPUs {result} would leave the node shared CPU pool empty while containers run on it (refused instead of emptying their cpuset)";
            result = default;
            return false;
        }
        DefaultSet = newDefault;
        return true;
    }

    /// <summary>§3.9: regular init CPUs become reusable for the pod; app and sidecar CPUs stop being reusable.</summary>
    private void UpdateReuse(string podUid, ContainerRole role, in CpuSet cpus)
    {
        if (!string.Equals(_reusePod, podUid, StringComparison.Ordinal))
        {
            _reusePod = podUid;
            _reusable = default;
        }
        _reusable = role == ContainerRole.Init ? _reusable.Union(cpus) : _reusable.Except(cpus);
    }

    /// <summary>The §5.4 check for CPUs over the containers known so far; null when fine.</summary>
    public string? ValidatePodScope(PodSpec pod) =>
        PodScopeValidation.Check(pod, PodGuaranteedCpus(pod), "cpu", "cpus", (Policy: this, Pod: pod),
            static (state, c) => state.Policy.GuaranteedCpus(state.Pod, c));

    /// <summary>KEP-5526 <c>AllocatePod</c> (§5.3), incrementally: the bubble at the first container, then one slice per container.</summary>
    private bool TryAdmitIntoPodBudget(PodSpec pod, ContainerSpec container, string containerId, TopologyHint hint, bool nodeSharedInUse, ref CpuDecision decision, out string? error)
    {
        error = ValidatePodScope(pod);
        if (error is not null)
        {
            error = "EmptyPodSharedPoolError: " + error;
            return false;
        }
        ref PodCpuEntry podEntry = ref CollectionsMarshal.GetValueRefOrNullRef(_pods, pod.Uid);
        bool newBubble = System.Runtime.CompilerServices.Unsafe.IsNullRef(ref podEntry);
        CpuSet bubble;
        if (newBubble)
        {
            int total = PodGuaranteedCpus(pod);
            if (!CheckSmtAlignment(total, out error))
            {
                return false;
            }
            if (!TryAllocate(total, hint.Mask, default, nodeSharedInUse, out bubble, out error))
            {
                return false;
            }
            decision.NodeSharedPoolChanged = true;
        }
        else
        {
            bubble = podEntry.Bubble;
        }
        CpuSet sidecarCpus = newBubble ? default : podEntry.SidecarCpus;
        CpuSet sharedPool = newBubble ? bubble : podEntry.SharedPool;

        int n = GuaranteedCpus(pod, container);
        var entry = new ContainerCpuEntry { Role = container.Role, ContainerId = containerId, Eligible = n > 0 };
        bool ok = true;
        if (n > 0)
        {
            CpuSet source = container.Role == ContainerRole.App ? sharedPool : bubble.Except(sidecarCpus);
            ok = _taker.TryTake(source, n, _takeOptions, out CpuSet slice, out error);
            if (ok)
            {
                entry.Kind = CpuAssignmentKind.Exclusive;
                entry.Cpus = slice;
                if (container.Role == ContainerRole.Sidecar)
                {
                    sidecarCpus = sidecarCpus.Union(slice);
                    sharedPool = sharedPool.Except(slice);
                    decision.PodSharedPoolChanged = true;
                }
                else if (container.Role == ContainerRole.App)
                {
                    sharedPool = sharedPool.Except(slice);
                    decision.PodSharedPoolChanged = true;
                }
            }
        }
        else if (container.Role == ContainerRole.Init)
        {
            entry.Kind = CpuAssignmentKind.PodInitPool;
            entry.Cpus = bubble.Except(sidecarCpus);
            ok = !entry.Cpus.IsEmpty;
            error = ok ? null : "EmptyPodSharedPoolError: pod rejected, pod has shared init containers but no cpus available for them";
        }
        else
        {
            entry.Kind = CpuAssignmentKind.PodShared;
            ok = !sharedPool.IsEmpty;
            error = ok ? null : "EmptyPodSharedPoolError: pod rejected, the pod shared cpu pool is empty, leaving no cpus for shared containers";
        }

        if (!ok)
        {
            if (newBubble)
            {
                // Nothing half-done: give the bubble back.
                DefaultSet = DefaultSet.Union(bubble);
            }
            return false;
        }

        if (newBubble)
        {
            _pods[pod.Uid] = new PodCpuEntry { Bubble = bubble, SidecarCpus = sidecarCpus, SharedPool = sharedPool, Containers = 1 };
        }
        else
        {
            podEntry.SidecarCpus = sidecarCpus;
            podEntry.SharedPool = sharedPool;
            podEntry.Containers++;
        }
        var key = new ContainerKey(pod.Uid, container.Name);
        _containers[key] = entry;
        Describe(pod, key, entry, ref decision);
        PodCpuEntry current = _pods[pod.Uid];
        decision.UnusedPodBudgetCpus = HasPodSharedMember(pod.Uid) ? 0 : current.SharedPool.Count;
        return true;
    }

    private bool HasPodSharedMember(string podUid)
    {
        foreach (KeyValuePair<ContainerKey, ContainerCpuEntry> pair in _containers)
        {
            if (pair.Value.Kind == CpuAssignmentKind.PodShared && string.Equals(pair.Key.PodUid, podUid, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    private bool PodHasExclusive(string podUid)
    {
        foreach (KeyValuePair<ContainerKey, ContainerCpuEntry> pair in _containers)
        {
            if (pair.Value.Kind == CpuAssignmentKind.Exclusive && pair.Value.Eligible && string.Equals(pair.Key.PodUid, podUid, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    private void Describe(PodSpec pod, ContainerKey key, in ContainerCpuEntry entry, ref CpuDecision decision)
    {
        decision.Cpus = EffectiveCpus(key, entry);
        decision.Level = LevelOf(pod, entry);
        decision.PodHasExclusive = PodHasExclusive(pod.Uid);
    }

    /// <summary>§5.7: host without an entry of its own; pod for non-eligible pod-budget members; container otherwise.</summary>
    private CpuIsolationLevel LevelOf(PodSpec pod, in ContainerCpuEntry entry)
    {
        if (entry.Kind == CpuAssignmentKind.NodeShared)
        {
            return CpuIsolationLevel.Host;
        }
        if (PodLevelActive(pod) && !entry.Eligible)
        {
            return CpuIsolationLevel.Pod;
        }
        return CpuIsolationLevel.Container;
    }

    /// <summary>The cpuset a container must have right now.</summary>
    public CpuSet EffectiveCpus(ContainerKey key)
    {
        return _containers.TryGetValue(key, out ContainerCpuEntry entry) ? EffectiveCpus(key, entry) : DefaultSet;
    }

    private CpuSet EffectiveCpus(ContainerKey key, in ContainerCpuEntry entry) => entry.Kind switch
    {
        CpuAssignmentKind.Exclusive or CpuAssignmentKind.PodInitPool => entry.Cpus,
        CpuAssignmentKind.PodShared => _pods.TryGetValue(key.PodUid, out PodCpuEntry pod) ? pod.SharedPool : DefaultSet,
        _ => DefaultSet,
    };

    // ---- release (§3.9, §5.6) ---------------------------------------------------------------------

    /// <summary>
    /// Removes a container's entry when <paramref name="containerId"/> still owns it. Classic entries
    /// return the CPUs no sibling holds; pod-budget members return nothing until the pod's last
    /// container goes, then the whole bubble (§5.6). Returns whether the node shared pool changed.
    /// </summary>
    public bool Release(ContainerKey key, string? containerId)
    {
        ref ContainerCpuEntry entry = ref CollectionsMarshal.GetValueRefOrNullRef(_containers, key);
        if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref entry))
        {
            return false;
        }
        if (containerId is not null && !string.Equals(entry.ContainerId, containerId, StringComparison.Ordinal))
        {
            // A newer instance (restart) owns the entry now.
            return false;
        }
        ContainerCpuEntry removed = entry;
        _containers.Remove(key);

        ref PodCpuEntry pod = ref CollectionsMarshal.GetValueRefOrNullRef(_pods, key.PodUid);
        if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref pod))
        {
            if (--pod.Containers > 0)
            {
                return false;
            }
            DefaultSet = DefaultSet.Union(pod.Bubble);
            _pods.Remove(key.PodUid);
            return true;
        }
        if (removed.Kind != CpuAssignmentKind.Exclusive)
        {
            return false;
        }
        CpuSet stillHeld = default;
        foreach (KeyValuePair<ContainerKey, ContainerCpuEntry> pair in _containers)
        {
            if (pair.Value.Kind == CpuAssignmentKind.Exclusive && string.Equals(pair.Key.PodUid, key.PodUid, StringComparison.Ordinal))
            {
                stillHeld = stillHeld.Union(pair.Value.Cpus);
            }
        }
        CpuSet returned = removed.Cpus.Except(stillHeld);
        if (string.Equals(_reusePod, key.PodUid, StringComparison.Ordinal))
        {
            _reusable = _reusable.Except(removed.Cpus);
        }
        if (returned.IsEmpty)
        {
            return false;
        }
        DefaultSet = DefaultSet.Union(returned);
        return true;
    }

    // ---- restore (§3.11) -----------------------------------------------------------------------------

    /// <summary>
    /// Replaces the whole state with a checkpoint's, which <see cref="State.SnapshotValidation"/> has
    /// already checked against this policy. Init reuse (§3.9) starts empty: it only ever concerns the
    /// pod being admitted when the process stopped.
    /// </summary>
    internal void ReplaceState(in CpuSet defaultSet, IEnumerable<KeyValuePair<ContainerKey, ContainerCpuEntry>> containers, IEnumerable<KeyValuePair<string, PodCpuEntry>> pods)
    {
        _containers.Clear();
        _pods.Clear();
        foreach (KeyValuePair<ContainerKey, ContainerCpuEntry> pair in containers)
        {
            _containers.Add(pair.Key, pair.Value);
        }
        foreach (KeyValuePair<string, PodCpuEntry> pair in pods)
        {
            _pods.Add(pair.Key, pair.Value);
        }
        DefaultSet = defaultSet;
        _reusePod = null;
        _reusable = default;
    }

    /// <summary>Number of containers running on the node shared pool.</summary>
    public int NodeSharedContainerCount
    {
        get
        {
            int count = 0;
            foreach (KeyValuePair<ContainerKey, ContainerCpuEntry> pair in _containers)
            {
                if (pair.Value.Kind == CpuAssignmentKind.NodeShared)
                {
                    count++;
                }
            }
            return count;
        }
    }
}
