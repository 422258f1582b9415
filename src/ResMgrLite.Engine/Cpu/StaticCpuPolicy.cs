using System.Runtime.InteropServices;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.PodLevel;
using ResMgrLite.Engine.TopologyManagement;

namespace ResMgrLite.Engine.Cpu;

/// <summary>
/// The kubelet's CPU Manager <c>static</c> policy (docs/kubelet-rules.md §3) with KEP-5526
/// pod-level budgets (§5), as a pure state machine: hints in, decisions out. Allocation-free on
/// admission and release once its dictionaries have grown to the working set.
/// </summary>
internal sealed partial class StaticCpuPolicy
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

    // Containers on the node shared pool: while there are any, it must never become empty.
    private int _nodeSharedCount;

    private StaticCpuPolicy(CpuTopology topology, CpuManagerOptions options, CpuTaker taker, in CpuSet reserved)
    {
        _topology = topology;
        _options = options;
        _taker = taker;
        _takeOptions = options.TakeOptions(topology);
        Reserved = reserved;
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

    /// <summary>
    /// The policy for <paramref name="options"/> on this machine, or null with the configuration's
    /// problems added to <paramref name="problems"/> (conflicting options, reserved CPUs that cannot be chosen).
    /// </summary>
    public static StaticCpuPolicy? TryCreate(CpuTopology topology, CpuManagerOptions options, bool singleNumaNodePolicy, List<string> problems)
    {
        int before = problems.Count;
        problems.AddRange(options.Problems(topology, singleNumaNodePolicy));
        if (problems.Count > before)
        {
            return null;
        }
        var taker = new CpuTaker(topology);
        CpuSet reserved = options.ReservedCpus;
        if (reserved.IsEmpty)
        {
            // §3.1: a reserved count is chosen by the same take-by-topology as containers.
            if (!taker.TryTake(topology.AllCpus, options.ReservedCpuCount, options.TakeOptions(topology), out reserved, out string? error) ||
                reserved.Count != options.ReservedCpuCount)
            {
                problems.Add($"unable to reserve the required amount of CPUs (size of {reserved} did not equal {options.ReservedCpuCount}): {error}");
                return null;
            }
        }
        return new StaticCpuPolicy(topology, options, taker, reserved);
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

    /// <summary>Bumped on every change of the state (entries, owners, pools, budgets, init reuse).</summary>
    public long Version { get; private set; }

    /// <summary>Bumped when exclusive CPUs, a pod budget, its slices or the init reuse change hands (a subset of <see cref="Version"/>).</summary>
    public long ExclusiveVersion { get; private set; }

    /// <summary>The pod whose regular init containers' CPUs can be reused now, and those CPUs (§3.9).</summary>
    public (string? PodUid, CpuSet Cpus) InitReuse => (_reusePod, _reusable);

    /// <summary>Number of containers running on the node shared pool.</summary>
    public int NodeSharedContainerCount => _nodeSharedCount;

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
        return PodRequestFold.Fold<int, GuaranteedCpuRule>(pod, new GuaranteedCpuRule(this, pod));
    }

    /// <summary>Exclusive CPU counts for <see cref="PodRequestFold"/>.</summary>
    private readonly struct GuaranteedCpuRule(StaticCpuPolicy policy, PodSpec pod) : IPodRequestRule<int>
    {
        public int RequestOf(ContainerSpec container) => policy.GuaranteedCpus(pod, container);

        public int Add(int a, int b) => a + b;

        public int Max(int a, int b) => Math.Max(a, b);
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

    /// <summary>Plans and commits in one step (see <see cref="TryPlan"/>).</summary>
    public bool TryAdmit(PodSpec pod, ContainerSpec container, string containerId, TopologyHint hint, bool podScope, out CpuDecision decision, out string? error)
    {
        if (!TryPlan(pod, container, hint, podScope, out CpuPlan plan, out error))
        {
            decision = default;
            return false;
        }
        decision = Commit(plan, pod, container, containerId);
        decision.NumaAffinity = hint.Mask;
        return true;
    }

    /// <summary>
    /// Decides the container's CPUs with the Topology Manager's hint without changing any state.
    /// Returns false with a kubelet-style reason when the container must be refused.
    /// </summary>
    /// <param name="podScope">The Topology Manager runs in pod scope (decides whether a pod budget becomes a bubble, §5.2).</param>
    public bool TryPlan(PodSpec pod, ContainerSpec container, TopologyHint hint, bool podScope, out CpuPlan plan, out string? error)
    {
        plan = default;
        error = null;
        if (_containers.ContainsKey(new ContainerKey(pod.Uid, container.Name)))
        {
            plan.Kind = CpuPlanKind.Existing;
            return true;
        }
        return podScope && PodLevelActive(pod) && PodGuaranteedCpus(pod) > 0
            ? TryPlanPodBudget(pod, container, hint, ref plan, out error)
            : TryPlanClassic(pod, container, hint, ref plan, out error);
    }

    private bool TryPlanClassic(PodSpec pod, ContainerSpec container, TopologyHint hint, ref CpuPlan plan, out string? error)
    {
        error = null;
        int n = GuaranteedCpus(pod, container);
        if (n == 0 || (pod.HasPodLevelResources && !_options.PodLevelResourceManagers))
        {
            if (DefaultSet.IsEmpty)
            {
                error = "the node shared CPU pool is empty: every CPU is exclusively assigned, so a shared container cannot run (refused instead of running it on no CPU)";
                return false;
            }
            plan.Kind = CpuPlanKind.NodeShared;
            return true;
        }
        if (!CheckSmtAlignment(n, out error) || !TryChoose(n, hint.Mask, ReusableFor(pod.Uid), out plan.Cpus, out error))
        {
            return false;
        }
        plan.Kind = CpuPlanKind.Exclusive;
        return true;
    }

    /// <summary>KEP-5526 <c>AllocatePod</c> (§5.3), incrementally: the bubble at the first container, then one share per container.</summary>
    private bool TryPlanPodBudget(PodSpec pod, ContainerSpec container, TopologyHint hint, ref CpuPlan plan, out string? error)
    {
        error = ValidatePodScope(pod);
        if (error is not null)
        {
            error = "EmptyPodSharedPoolError: " + error;
            return false;
        }
        CpuSet bubble, sidecarCpus, sharedPool;
        if (_pods.TryGetValue(pod.Uid, out PodCpuEntry podEntry))
        {
            (bubble, sidecarCpus, sharedPool) = (podEntry.Bubble, podEntry.SidecarCpus, podEntry.SharedPool);
        }
        else
        {
            int total = PodGuaranteedCpus(pod);
            if (!CheckSmtAlignment(total, out error) || !TryChoose(total, hint.Mask, default, out plan.NewBudget, out error))
            {
                return false;
            }
            (bubble, sidecarCpus, sharedPool) = (plan.NewBudget, default, plan.NewBudget);
        }

        int n = GuaranteedCpus(pod, container);
        plan.Kind = CpuPlanKind.PodBudget;
        plan.Share = PodBudgetShares.Of(container.Role, n > 0);
        switch (plan.Share)
        {
            case PodBudgetShare.AppSlice:
                return _taker.TryTake(sharedPool, n, _takeOptions, out plan.Cpus, out error);
            case PodBudgetShare.SidecarSlice:
            case PodBudgetShare.InitSlice:
                return _taker.TryTake(bubble.Except(sidecarCpus), n, _takeOptions, out plan.Cpus, out error);
            case PodBudgetShare.InitPool:
                plan.Cpus = bubble.Except(sidecarCpus);
                error = plan.Cpus.IsEmpty ? "EmptyPodSharedPoolError: pod rejected, pod has shared init containers but no cpus available for them" : null;
                return error is null;
            default:
                error = sharedPool.IsEmpty ? "EmptyPodSharedPoolError: pod rejected, the pod shared cpu pool is empty, leaving no cpus for shared containers" : null;
                return error is null;
        }
    }

    /// <summary>Applies a plan from <see cref="TryPlan"/> made for the same pod and container with no state change in between.</summary>
    public CpuDecision Commit(in CpuPlan plan, PodSpec pod, ContainerSpec container, string containerId)
    {
        var key = new ContainerKey(pod.Uid, container.Name);
        var decision = default(CpuDecision);
        switch (plan.Kind)
        {
            case CpuPlanKind.Existing:
            {
                ref ContainerCpuEntry existing = ref CollectionsMarshal.GetValueRefOrNullRef(_containers, key);
                if (!string.Equals(existing.ContainerId, containerId, StringComparison.Ordinal))
                {
                    existing.ContainerId = containerId;
                    Version++;
                }
                Describe(pod.Uid, existing, ref decision);
                return decision;
            }
            case CpuPlanKind.NodeShared:
            {
                var entry = new ContainerCpuEntry { Kind = CpuAssignmentKind.NodeShared, Role = container.Role, ContainerId = containerId };
                _containers[key] = entry;
                _nodeSharedCount++;
                Version++;
                Describe(pod.Uid, entry, ref decision);
                return decision;
            }
            case CpuPlanKind.Exclusive:
            {
                var entry = new ContainerCpuEntry { Kind = CpuAssignmentKind.Exclusive, Eligible = true, Role = container.Role, ContainerId = containerId, Cpus = plan.Cpus };
                _containers[key] = entry;
                decision.NodeSharedPoolChanged = TakeFromNodePool(plan.Cpus);
                UpdateReuse(pod.Uid, container.Role, plan.Cpus);
                Version++;
                ExclusiveVersion++;
                Describe(pod.Uid, entry, ref decision);
                return decision;
            }
            default:
                return CommitPodBudget(plan, pod, container, containerId, key);
        }
    }

    /// <summary>Removes exclusive CPUs from the node shared pool; true when it changed (reused init CPUs are already out of it).</summary>
    private bool TakeFromNodePool(in CpuSet cpus)
    {
        CpuSet before = DefaultSet;
        DefaultSet = DefaultSet.Except(cpus);
        return DefaultSet != before;
    }

    private CpuDecision CommitPodBudget(in CpuPlan plan, PodSpec pod, ContainerSpec container, string containerId, ContainerKey key)
    {
        var decision = default(CpuDecision);
        if (!plan.NewBudget.IsEmpty)
        {
            decision.NodeSharedPoolChanged = TakeFromNodePool(plan.NewBudget);
            _pods[pod.Uid] = new PodCpuEntry { Bubble = plan.NewBudget, SharedPool = plan.NewBudget };
        }
        ref PodCpuEntry podEntry = ref CollectionsMarshal.GetValueRefOrNullRef(_pods, pod.Uid);
        var entry = new ContainerCpuEntry { Role = container.Role, ContainerId = containerId, Eligible = PodBudgetShares.IsSlice(plan.Share) };
        switch (plan.Share)
        {
            case PodBudgetShare.AppSlice:
                (entry.Kind, entry.Cpus) = (CpuAssignmentKind.Exclusive, plan.Cpus);
                podEntry.SharedPool = podEntry.SharedPool.Except(plan.Cpus);
                decision.PodSharedPoolChanged = true;
                break;
            case PodBudgetShare.SidecarSlice:
                (entry.Kind, entry.Cpus) = (CpuAssignmentKind.Exclusive, plan.Cpus);
                podEntry.SidecarCpus = podEntry.SidecarCpus.Union(plan.Cpus);
                podEntry.SharedPool = podEntry.SharedPool.Except(plan.Cpus);
                decision.PodSharedPoolChanged = true;
                break;
            case PodBudgetShare.InitSlice:
                (entry.Kind, entry.Cpus) = (CpuAssignmentKind.Exclusive, plan.Cpus);
                break;
            case PodBudgetShare.InitPool:
                (entry.Kind, entry.Cpus) = (CpuAssignmentKind.PodInitPool, plan.Cpus);
                break;
            default:
                entry.Kind = CpuAssignmentKind.PodShared;
                break;
        }
        podEntry.Containers++;
        _containers[key] = entry;
        Version++;
        if (entry.Kind != CpuAssignmentKind.PodShared || !plan.NewBudget.IsEmpty)
        {
            ExclusiveVersion++;
        }
        Describe(pod.Uid, entry, ref decision);
        decision.UnusedPodBudgetCpus = HasPodSharedMember(pod.Uid) ? 0 : podEntry.SharedPool.Count;
        return decision;
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

    /// <summary>
    /// <c>allocateCPUs(n, mask, reusable)</c> (§3.3) without taking them: aligned CPUs first, then
    /// spill. Fails closed when the node shared pool would become empty under running containers.
    /// </summary>
    private bool TryChoose(int n, ulong mask, in CpuSet reusable, out CpuSet result, out string? error)
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
        if (_nodeSharedCount > 0 && DefaultSet.Except(result).IsEmpty)
        {
            error = $"taking CPUs {result} would leave the node shared CPU pool empty while containers run on it (refused instead of emptying their cpuset)";
            result = default;
            return false;
        }
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

    /// <summary>True when a container of the pod holds exclusive CPUs (level <see cref="ResourceIsolationLevel.Container"/>).</summary>
    public bool PodHasExclusive(string podUid)
    {
        foreach (KeyValuePair<ContainerKey, ContainerCpuEntry> pair in _containers)
        {
            if (pair.Value.Kind == CpuAssignmentKind.Exclusive && string.Equals(pair.Key.PodUid, podUid, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    private void Describe(string podUid, in ContainerCpuEntry entry, ref CpuDecision decision)
    {
        decision.Cpus = EffectiveCpus(podUid, entry);
        decision.Level = LevelOf(entry.Kind);
        decision.PodHasExclusive = PodHasExclusive(podUid);
    }

    /// <summary>
    /// §5.7: host without an entry of its own; pod for non-eligible members of a pod budget; container
    /// for exclusive CPUs (only eligible containers ever hold them).
    /// </summary>
    public static ResourceIsolationLevel LevelOf(CpuAssignmentKind kind) => kind switch
    {
        CpuAssignmentKind.NodeShared => ResourceIsolationLevel.Host,
        CpuAssignmentKind.Exclusive => ResourceIsolationLevel.Container,
        _ => ResourceIsolationLevel.Pod,
    };

    /// <summary>The cpuset a container must have right now.</summary>
    public CpuSet EffectiveCpus(ContainerKey key)
    {
        return _containers.TryGetValue(key, out ContainerCpuEntry entry) ? EffectiveCpus(key.PodUid, entry) : DefaultSet;
    }

    private CpuSet EffectiveCpus(string podUid, in ContainerCpuEntry entry) => entry.Kind switch
    {
        CpuAssignmentKind.Exclusive or CpuAssignmentKind.PodInitPool => entry.Cpus,
        CpuAssignmentKind.PodShared => _pods.TryGetValue(podUid, out PodCpuEntry pod) ? pod.SharedPool : DefaultSet,
        _ => DefaultSet,
    };

    /// <summary>
    /// The running containers whose cpuset followed a pool that just changed: every container on the
    /// node shared pool, and the shared members of <paramref name="podPoolUid"/>'s budget; never
    /// <paramref name="except"/> (the container being admitted gets its own settings).
    /// </summary>
    internal void CollectPoolMembers(bool nodePoolChanged, string? podPoolUid, in ContainerKey except, List<CpusetChange> into)
    {
        foreach (KeyValuePair<ContainerKey, ContainerCpuEntry> pair in _containers)
        {
            ContainerCpuEntry entry = pair.Value;
            if (entry.ContainerId is not { Length: > 0 } || pair.Key == except)
            {
                continue;
            }
            if ((nodePoolChanged && entry.Kind == CpuAssignmentKind.NodeShared) ||
                (podPoolUid is not null && entry.Kind == CpuAssignmentKind.PodShared && string.Equals(pair.Key.PodUid, podPoolUid, StringComparison.Ordinal)))
            {
                into.Add(new CpusetChange(pair.Key, entry.ContainerId, entry.Kind == CpuAssignmentKind.NodeShared ? CpuPool.Node : CpuPool.Pod));
            }
        }
    }

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
        Version++;
        if (removed.Kind == CpuAssignmentKind.NodeShared)
        {
            _nodeSharedCount--;
        }
        else
        {
            ExclusiveVersion++;
        }

        ref PodCpuEntry pod = ref CollectionsMarshal.GetValueRefOrNullRef(_pods, key.PodUid);
        if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref pod))
        {
            if (--pod.Containers > 0)
            {
                return false;
            }
            DefaultSet = DefaultSet.Union(pod.Bubble);
            _pods.Remove(key.PodUid);
            ExclusiveVersion++;
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

    /// <summary>Releases every entry of a pod, whichever container id owns it; true when the node shared pool changed.</summary>
    public bool ReleasePod(string podUid)
    {
        bool changed = false;
        // Removing the current entry while enumerating is allowed for Dictionary.
        foreach (KeyValuePair<ContainerKey, ContainerCpuEntry> pair in _containers)
        {
            if (string.Equals(pair.Key.PodUid, podUid, StringComparison.Ordinal))
            {
                changed |= Release(pair.Key, null);
            }
        }
        if (string.Equals(_reusePod, podUid, StringComparison.Ordinal))
        {
            (_reusePod, _reusable) = (null, default);
        }
        return changed;
    }

    // ---- restore (§3.11) -----------------------------------------------------------------------------

    /// <summary>
    /// Replaces the whole state with a checkpoint's, which the engine has already checked against
    /// this policy, including the init reuse of the pod being admitted when the state was written.
    /// </summary>
    internal void ReplaceState(in CpuSet defaultSet, IEnumerable<KeyValuePair<ContainerKey, ContainerCpuEntry>> containers, IEnumerable<KeyValuePair<string, PodCpuEntry>> pods, string? reusePod, in CpuSet reusable)
    {
        _containers.Clear();
        _pods.Clear();
        _nodeSharedCount = 0;
        foreach (KeyValuePair<ContainerKey, ContainerCpuEntry> pair in containers)
        {
            _containers.Add(pair.Key, pair.Value);
            if (pair.Value.Kind == CpuAssignmentKind.NodeShared)
            {
                _nodeSharedCount++;
            }
        }
        foreach (KeyValuePair<string, PodCpuEntry> pair in pods)
        {
            _pods.Add(pair.Key, pair.Value);
        }
        DefaultSet = defaultSet;
        _reusePod = reusePod;
        _reusable = reusePod is null ? default : reusable;
        Version++;
        ExclusiveVersion++;
    }
}
