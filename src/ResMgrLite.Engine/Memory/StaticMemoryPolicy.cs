using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.PodLevel;
using ResMgrLite.Engine.TopologyManagement;

namespace ResMgrLite.Engine.Memory;

/// <summary>
/// The kubelet's Memory Manager <c>Static</c> policy (docs/kubelet-rules.md §4) with KEP-5526
/// pod-level budgets (§5.5, §5.6), as a pure state machine: hints in, decisions out. Admission is
/// split into <see cref="TryPlan"/> (decides, changes nothing) and <see cref="Commit"/> (cannot
/// fail), so the engine can refuse a container on memory before the CPU manager allocates and
/// never has to undo half an admission. Allocation-free once its dictionaries have grown.
/// </summary>
internal sealed partial class StaticMemoryPolicy
{
    private readonly MemoryManagerOptions _options;
    private readonly MemoryMachineState _state;
    private readonly ulong[] _masks;
    private readonly HintList _scratch;
    private readonly HintList[] _lists;

    private readonly Dictionary<ContainerKey, ContainerMemoryEntry> _containers = new(256);
    private readonly Dictionary<string, PodMemoryEntry> _pods = new(64, StringComparer.Ordinal);

    // Init-container reuse (§4.6): only the pod being admitted is kept, per mask, per resource.
    private string? _reusePod;
    private readonly Dictionary<ulong, MemoryAmounts> _reuse = new(8);

    /// <summary>The policy for valid options; throws <see cref="InvalidOperationException"/> naming the problems otherwise (see <see cref="TryCreate"/>).</summary>
    public StaticMemoryPolicy(MemoryManagerOptions options)
        : this(options, MemoryMachineState.Create(options.Nodes, options.ReservedMemory))
    {
    }

    private StaticMemoryPolicy(MemoryManagerOptions options, MemoryMachineState state)
    {
        _options = options;
        _state = state;
        int nodeCount = _state.NodeCount;
        if (nodeCount <= 16)
        {
            _masks = new ulong[NumaMask.MaskCount(nodeCount)];
            NumaMask.IterateBitMasks(_state.NodeIds, _masks);
        }
        else
        {
            _masks = [];
        }
        int capacity = _masks.Length + 1;
        _scratch = new HintList(capacity, "memory");
        _lists = new HintList[MemoryResources.Count];
        for (int r = 0; r < _lists.Length; r++)
        {
            _lists[r] = new HintList(capacity, MemoryResources.NameOf((MemoryResource)r));
        }
    }

    /// <summary>The policy, or null with the reasons added to <paramref name="problems"/> (a node or reservation the machine state cannot hold).</summary>
    public static StaticMemoryPolicy? TryCreate(MemoryManagerOptions options, List<string> problems)
    {
        MemoryMachineState? state = MemoryMachineState.TryCreate(options.Nodes, options.ReservedMemory, problems);
        return state is null ? null : new StaticMemoryPolicy(options, state);
    }

    public MemoryManagerOptions Options => _options;

    /// <summary>Bumped on every change of the state (blocks, owners, budgets, init reuse).</summary>
    public long Version { get; private set; }

    /// <summary>Bumped when memory is charged or returned, or a pod budget's slices change (a subset of <see cref="Version"/>).</summary>
    public long ExclusiveVersion { get; private set; }

    /// <summary>The pod whose regular init containers' blocks can be reused now, and those amounts per NUMA mask (§4.6).</summary>
    public (string? PodUid, IReadOnlyDictionary<ulong, MemoryAmounts> Amounts) InitReuse => (_reusePod, _reuse);

    public MemoryMachineState State => _state;

    /// <summary>The hint lists filled by <see cref="ContainerHints"/> and <see cref="PodHints"/>, one per resource (unrequested ones say "no preference").</summary>
    public ReadOnlySpan<HintList> HintLists => _lists;

    public IReadOnlyDictionary<ContainerKey, ContainerMemoryEntry> Containers => _containers;

    public IReadOnlyDictionary<string, PodMemoryEntry> Pods => _pods;

    private bool PodLevelActive(PodSpec pod) => _options.PodLevelResourceManagers && pod.HasPodLevelResources;

    /// <summary>True when the pod scope would carve this pod's memory from a pod-level budget (§2.6, §5.5).</summary>
    public bool UsesPodBudget(PodSpec pod) =>
        PodLevelActive(pod) && pod.Qos == QosClass.Guaranteed && !PodRequests(pod).IsZero;

    // ---- requests (§4.3) ---------------------------------------------------------------------------

    /// <summary>
    /// A container's memory and hugepage requests as the policy counts them: nothing outside Guaranteed
    /// pods, nothing for pod-level pods with the gate off, and with pod-level resources only for
    /// Guaranteed-shaped containers (§4.3, §5.1).
    /// </summary>
    public MemoryAmounts ContainerRequests(PodSpec pod, ContainerSpec container)
    {
        if (pod.Qos != QosClass.Guaranteed || (pod.HasPodLevelResources && !_options.PodLevelResourceManagers))
        {
            return default;
        }
        ContainerResources r = container.Resources;
        if (PodLevelActive(pod) && !r.IsGuaranteedShaped)
        {
            return default;
        }
        return new MemoryAmounts(r.MemoryRequestBytes, r.Hugepages2MiBytes, r.Hugepages1GiBytes).PositivePart();
    }

    /// <summary>
    /// The pod's requests (§4.3): the pod-level budget when it applies, else per resource
    /// <c>max(initMax, Σ app + Σ sidecar)</c> with the sidecar-prefix rule of §3.8, over the containers known so far.
    /// </summary>
    public MemoryAmounts PodRequests(PodSpec pod)
    {
        if (PodLevelActive(pod))
        {
            if (pod.Qos != QosClass.Guaranteed || pod.PodLevel is not { } podLevel)
            {
                return default;
            }
            return new MemoryAmounts(podLevel.MemoryRequestBytes, podLevel.Hugepages2MiBytes, podLevel.Hugepages1GiBytes).PositivePart();
        }
        return PodRequestFold.Fold<MemoryAmounts, ContainerRequestRule>(pod, new ContainerRequestRule(this, pod));
    }

    /// <summary>Requests per memory resource for <see cref="PodRequestFold"/>.</summary>
    private readonly struct ContainerRequestRule(StaticMemoryPolicy policy, PodSpec pod) : IPodRequestRule<MemoryAmounts>
    {
        public MemoryAmounts RequestOf(ContainerSpec container) => policy.ContainerRequests(pod, container);

        public MemoryAmounts Add(MemoryAmounts a, MemoryAmounts b) => a.Plus(b);

        public MemoryAmounts Max(MemoryAmounts a, MemoryAmounts b) => a.Max(b);
    }

    private static readonly string[] ValidationUnits = ["bytes of memory", "bytes of hugepages-2Mi", "bytes of hugepages-1Gi"];

    /// <summary>The §5.4 empty-shared-pool check per memory resource over the containers known so far; null when fine.</summary>
    public string? ValidatePodScope(PodSpec pod)
    {
        MemoryAmounts budget = PodRequests(pod);
        for (int r = 0; r < MemoryResources.Count; r++)
        {
            var resource = (MemoryResource)r;
            if (budget[resource] <= 0)
            {
                continue;
            }
            string? problem = PodScopeValidation.Check(pod, budget[resource], MemoryResources.NameOf(resource), ValidationUnits[r], (Policy: this, Pod: pod, Resource: resource),
                static (s, c) => s.Policy.ContainerRequests(s.Pod, c)[s.Resource]);
            if (problem is not null)
            {
                return problem;
            }
        }
        return null;
    }

    // ---- hints (§4.4) ------------------------------------------------------------------------------

    /// <summary><c>GetTopologyHints(pod, container)</c> into <see cref="HintLists"/>.</summary>
    public void ContainerHints(PodSpec pod, ContainerSpec container)
    {
        MemoryAmounts requests = ContainerRequests(pod, container);
        if (requests.IsZero)
        {
            SetNoPreference();
            return;
        }
        if (_containers.TryGetValue(new ContainerKey(pod.Uid, container.Name), out ContainerMemoryEntry existing))
        {
            RegenerateHints(existing, requests);
            return;
        }
        CalculateHints(requests, pod.Uid, _scratch);
        Publish(requests, _scratch);
    }

    /// <summary><c>GetPodTopologyHints(pod)</c> into <see cref="HintLists"/>, with the §5.10 re-admission fix for budgets.</summary>
    public void PodHints(PodSpec pod)
    {
        if (pod.Qos != QosClass.Guaranteed || (pod.HasPodLevelResources && !_options.PodLevelResourceManagers))
        {
            SetNoPreference();
            return;
        }
        MemoryAmounts requests = PodRequests(pod);
        if (requests.IsZero)
        {
            SetNoPreference();
            return;
        }
        if (PodLevelActive(pod))
        {
            if (ValidatePodScope(pod) is not null)
            {
                _scratch.StartList();
                Publish(requests, _scratch);
                return;
            }
            if (_pods.TryGetValue(pod.Uid, out PodMemoryEntry budget))
            {
                PublishSingle(requests, budget.Mask);
                return;
            }
        }
        else
        {
            foreach (ContainerSpec c in pod.Containers)
            {
                if (_containers.TryGetValue(new ContainerKey(pod.Uid, c.Name), out ContainerMemoryEntry entry) && entry.Kind == MemoryAssignmentKind.Exclusive)
                {
                    RegenerateHints(entry, requests);
                    return;
                }
            }
        }
        CalculateHints(requests, null, _scratch);
        Publish(requests, _scratch);
    }

    /// <summary>Existing blocks: one preferred hint on their mask, or no preference when they no longer match the request (§4.4).</summary>
    private void RegenerateHints(in ContainerMemoryEntry entry, in MemoryAmounts requests)
    {
        bool matches = entry.Kind == MemoryAssignmentKind.Exclusive && entry.Resources == requests.PositiveMask;
        for (int r = 0; matches && r < MemoryResources.Count; r++)
        {
            matches = entry.Blocks[(MemoryResource)r] == requests[(MemoryResource)r];
        }
        if (!matches)
        {
            SetNoPreference();
            return;
        }
        PublishSingle(requests, entry.Mask);
    }

    private void PublishSingle(in MemoryAmounts requests, ulong mask)
    {
        _scratch.StartList();
        _scratch.Add(new TopologyHint(mask, true));
        Publish(requests, _scratch);
    }

    private void SetNoPreference()
    {
        foreach (HintList list in _lists)
        {
            list.SetNoPreference();
        }
    }

    /// <summary>The same hints for every requested resource (the kubelet emits them per resource, §4.4 step 7).</summary>
    private void Publish(in MemoryAmounts requests, HintList hints)
    {
        for (int r = 0; r < MemoryResources.Count; r++)
        {
            HintList list = _lists[r];
            if (requests[(MemoryResource)r] <= 0)
            {
                list.SetNoPreference();
                continue;
            }
            list.StartList();
            foreach (TopologyHint hint in hints.Hints)
            {
                list.Add(hint);
            }
        }
    }

    /// <summary>
    /// <c>calculateHints</c> (§4.4, §11 rule 1): every mask whose allocatable fits gives the minimum
    /// width (an empty machine's view); masks that break the group rule or lack free memory (plus the
    /// pod's reusable init memory on exactly that mask) are dropped; preferred = minimum width.
    /// </summary>
    private void CalculateHints(in MemoryAmounts requests, string? reusePod, HintList target)
    {
        target.StartList();
        int minAffinitySize = _state.NodeCount;
        foreach (ulong mask in _masks)
        {
            MemoryAmounts reusable = ReusableFor(reusePod, mask);
            bool fitsAllocatable = true, fitsFree = true;
            for (int r = 0; r < MemoryResources.Count; r++)
            {
                var resource = (MemoryResource)r;
                long request = requests[resource];
                if (request <= 0)
                {
                    continue;
                }
                _state.Sum(mask, resource, out long free, out long allocatable);
                fitsAllocatable &= allocatable >= request;
                fitsFree &= free + reusable[resource] >= request;
            }
            if (!fitsAllocatable)
            {
                continue;
            }
            minAffinitySize = Math.Min(minAffinitySize, BitOperations.PopCount(mask));
            if (!_state.AllowsGroup(mask) || !fitsFree)
            {
                continue;
            }
            target.Add(new TopologyHint(mask, false));
        }
        for (int i = 0; i < target.Count; i++)
        {
            ref TopologyHint hint = ref target[i];
            hint = hint with { Preferred = BitOperations.PopCount(hint.Mask) == minAffinitySize };
        }
    }

    private MemoryAmounts ReusableFor(string? podUid, ulong mask) =>
        podUid is not null && string.Equals(_reusePod, podUid, StringComparison.Ordinal) && _reuse.TryGetValue(mask, out MemoryAmounts amounts)
            ? amounts
            : default;

    // ---- admission (§4.5, §5.5) --------------------------------------------------------------------

    /// <summary>Plans and commits in one step (see <see cref="TryPlan"/>).</summary>
    public bool TryAdmit(PodSpec pod, ContainerSpec container, string containerId, TopologyHint hint, bool podScope, out MemoryDecision decision, out string? error)
    {
        if (!TryPlan(pod, container, hint, podScope, out MemoryPlan plan, out error))
        {
            decision = default;
            return false;
        }
        decision = Commit(plan, pod, container, containerId);
        return true;
    }

    /// <summary>
    /// Decides where the container's memory goes without changing any state. False with a kubelet-style
    /// reason when the container must be refused. <paramref name="podScope"/>: the Topology Manager runs
    /// in pod scope, which turns a pod-level budget into one charge for the whole pod (§2.6).
    /// </summary>
    public bool TryPlan(PodSpec pod, ContainerSpec container, TopologyHint hint, bool podScope, out MemoryPlan plan, out string? error)
    {
        plan = default;
        error = null;
        if (_containers.ContainsKey(new ContainerKey(pod.Uid, container.Name)))
        {
            // Idempotent: a restarted or retried container keeps its blocks (§4.5 step 2).
            plan.Kind = MemoryPlanKind.Existing;
            return true;
        }
        if (podScope && UsesPodBudget(pod))
        {
            error = ValidatePodScope(pod);
            if (error is not null)
            {
                error = "EmptyPodSharedPoolError: " + error;
                return false;
            }
            plan.Kind = MemoryPlanKind.PodBudget;
            if (_pods.TryGetValue(pod.Uid, out PodMemoryEntry budget))
            {
                plan.Mask = budget.Mask;
                return true;
            }
            plan.NewPodBudget = true;
            plan.Requests = PodRequests(pod);
            return TryChooseMask(plan.Requests, hint, null, ref plan, out error);
        }
        MemoryAmounts requests = ContainerRequests(pod, container);
        if (requests.IsZero)
        {
            // Nothing to pin (non-Guaranteed, shared, or zero-memory containers: §5.10).
            plan.Kind = MemoryPlanKind.Unmanaged;
            return true;
        }
        plan.Kind = MemoryPlanKind.Classic;
        plan.Requests = requests;
        return TryChooseMask(requests, hint, pod.Uid, ref plan, out error);
    }

    /// <summary>§4.5 steps 4-6: default hint when the Topology Manager gave none, extension when free memory is short, group rule.</summary>
    private bool TryChooseMask(in MemoryAmounts requests, TopologyHint hint, string? reusePod, ref MemoryPlan plan, out string? error)
    {
        error = null;
        ulong mask = hint.Mask & _state.AllNodesMask;
        if (mask == 0)
        {
            CalculateHints(requests, reusePod, _scratch);
            if (!TryBest(_scratch, 0, out TopologyHint best))
            {
                error = "failed to get the default NUMA affinity, no NUMA nodes with enough memory is available";
                return false;
            }
            if (hint.Preferred && !best.Preferred)
            {
                error = $"failed to get the default NUMA affinity: the best memory hint {best} is not preferred while the topology manager's hint is";
                return false;
            }
            mask = best.Mask;
        }
        if (!FreeSatisfies(mask, requests))
        {
            // The Topology Manager's AND can return a subset of what this policy offered (§4.5 step 5).
            CalculateHints(requests, reusePod, _scratch);
            if (!TryBest(_scratch, mask, out TopologyHint extended))
            {
                error = $"failed to find NUMA nodes to extend the current topology hint {NumaMask.Format(mask)}: not enough free memory for {requests}";
                return false;
            }
            if (hint.Preferred && !extended.Preferred)
            {
                error = $"the extended hint {extended} is not preferred while the topology manager's hint {hint} is";
                return false;
            }
            mask = extended.Mask;
            plan.Extended = true;
        }
        if (!_state.AllowsGroup(mask))
        {
            error = $"preferred hint violates NUMA node allocation: nodes {NumaNodeList.Format(mask)} mix single- and multi-node memory groups";
            return false;
        }
        plan.Mask = mask;
        return true;
    }

    private bool FreeSatisfies(ulong mask, in MemoryAmounts requests)
    {
        for (int r = 0; r < MemoryResources.Count; r++)
        {
            long request = requests[(MemoryResource)r];
            if (request <= 0)
            {
                continue;
            }
            _state.Sum(mask, (MemoryResource)r, out long free, out _);
            if (free < request)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary><c>findBestHint</c>: preferred first, then narrowest; only masks containing <paramref name="required"/>.</summary>
    private static bool TryBest(HintList hints, ulong required, out TopologyHint best)
    {
        best = default;
        bool found = false;
        foreach (TopologyHint hint in hints.Hints)
        {
            if ((hint.Mask & required) != required)
            {
                continue;
            }
            if (!found ||
                (hint.Preferred && !best.Preferred) ||
                (hint.Preferred == best.Preferred && NumaMask.IsNarrowerThan(hint.Mask, best.Mask)))
            {
                best = hint;
                found = true;
            }
        }
        return found;
    }

    /// <summary>Applies a plan from <see cref="TryPlan"/> made for the same pod and container with no state change in between.</summary>
    public MemoryDecision Commit(in MemoryPlan plan, PodSpec pod, ContainerSpec container, string containerId)
    {
        var key = new ContainerKey(pod.Uid, container.Name);
        switch (plan.Kind)
        {
            case MemoryPlanKind.Existing:
            {
                ref ContainerMemoryEntry existing = ref CollectionsMarshal.GetValueRefOrNullRef(_containers, key);
                if (!string.Equals(existing.ContainerId, containerId, StringComparison.Ordinal))
                {
                    existing.ContainerId = containerId;
                    Version++;
                }
                return Describe(pod.Uid, existing, container);
            }
            case MemoryPlanKind.Classic:
                return CommitClassic(plan, pod, container, containerId, key);
            case MemoryPlanKind.PodBudget:
                return CommitPodBudget(plan, pod, container, containerId, key);
            default:
                return default;
        }
    }

    private MemoryDecision CommitClassic(in MemoryPlan plan, PodSpec pod, ContainerSpec container, string containerId, ContainerKey key)
    {
        MemoryAmounts requests = plan.Requests;
        MemoryAmounts reusable = ReusableFor(pod.Uid, plan.Mask);
        MemoryAmounts reused = default;
        for (int r = 0; r < MemoryResources.Count; r++)
        {
            var resource = (MemoryResource)r;
            long request = requests[resource];
            if (request <= 0)
            {
                continue;
            }
            // §4.5 step 7: only what the pod's finished init containers do not already hold is charged.
            long charge = Math.Max(0, request - reusable[resource]);
            reused[resource] = request - charge;
            _state.Charge(plan.Mask, resource, charge);
        }
        var entry = new ContainerMemoryEntry
        {
            Kind = MemoryAssignmentKind.Exclusive,
            Role = container.Role,
            ContainerId = containerId,
            Mask = plan.Mask,
            Blocks = requests,
            Resources = requests.PositiveMask,
        };
        _containers[key] = entry;
        UpdateReuse(pod.Uid, container.Role, plan.Mask, requests);
        ShrinkEarlierInitBlocks(pod, container, plan.Mask, reused);
        Version++;
        ExclusiveVersion++;
        MemoryDecision decision = Describe(pod.Uid, entry, container);
        decision.HintExtended = plan.Extended;
        return decision;
    }

    /// <summary>§4.6: regular init blocks become reusable (maximum per mask and resource); app and sidecar blocks use it up.</summary>
    private void UpdateReuse(string podUid, ContainerRole role, ulong mask, in MemoryAmounts blocks)
    {
        if (!string.Equals(_reusePod, podUid, StringComparison.Ordinal))
        {
            _reusePod = podUid;
            _reuse.Clear();
        }
        if (role == ContainerRole.Init)
        {
            ref MemoryAmounts amounts = ref CollectionsMarshal.GetValueRefOrAddDefault(_reuse, mask, out _);
            amounts = amounts.Max(blocks);
            return;
        }
        ref MemoryAmounts current = ref CollectionsMarshal.GetValueRefOrNullRef(_reuse, mask);
        if (!Unsafe.IsNullRef(ref current))
        {
            current = current.Minus(blocks).PositivePart();
        }
    }

    /// <summary>
    /// §4.5 step 9: earlier regular init blocks of the same pod, mask and resource shrink by what this
    /// container reused, so the pod's block sizes add up to what was charged and releasing them all
    /// returns exactly that. (The kubelet shrinks by the whole block; that equals the reused amount
    /// when the whole pod is admitted at once, but NRI admits containers over time and the reuse state
    /// may have been dropped in between, so only the amount really reused is taken.)
    /// </summary>
    private void ShrinkEarlierInitBlocks(PodSpec pod, ContainerSpec container, ulong mask, MemoryAmounts reused)
    {
        if (reused.IsZero)
        {
            return;
        }
        foreach (ContainerSpec earlier in pod.Containers)
        {
            if (string.Equals(earlier.Name, container.Name, StringComparison.Ordinal))
            {
                break;
            }
            if (earlier.Role != ContainerRole.Init)
            {
                continue;
            }
            ref ContainerMemoryEntry entry = ref CollectionsMarshal.GetValueRefOrNullRef(_containers, new ContainerKey(pod.Uid, earlier.Name));
            if (Unsafe.IsNullRef(ref entry) || entry.Kind != MemoryAssignmentKind.Exclusive || entry.Mask != mask)
            {
                continue;
            }
            for (int r = 0; r < MemoryResources.Count; r++)
            {
                var resource = (MemoryResource)r;
                long take = Math.Min(entry.Blocks[resource], reused[resource]);
                entry.Blocks[resource] -= take;
                reused[resource] -= take;
            }
        }
    }

    /// <summary>KEP-5526 <c>AllocatePod</c> for memory (§5.5), incrementally: the budget is charged at the first container, then each container's share is bookkeeping.</summary>
    private MemoryDecision CommitPodBudget(in MemoryPlan plan, PodSpec pod, ContainerSpec container, string containerId, ContainerKey key)
    {
        if (plan.NewPodBudget)
        {
            for (int r = 0; r < MemoryResources.Count; r++)
            {
                long total = plan.Requests[(MemoryResource)r];
                if (total > 0)
                {
                    _state.Charge(plan.Mask, (MemoryResource)r, total);
                }
            }
            _pods[pod.Uid] = new PodMemoryEntry { Mask = plan.Mask, Totals = plan.Requests };
        }
        ref PodMemoryEntry budget = ref CollectionsMarshal.GetValueRefOrNullRef(_pods, pod.Uid);
        MemoryAmounts requests = ContainerRequests(pod, container);
        var entry = new ContainerMemoryEntry
        {
            Role = container.Role,
            ContainerId = containerId,
            Mask = budget.Mask,
            Resources = budget.Totals.PositiveMask,
        };
        switch (PodBudgetShares.Of(container.Role, !requests.IsZero))
        {
            case PodBudgetShare.AppSlice:
                (entry.Kind, entry.Blocks) = (MemoryAssignmentKind.Exclusive, requests);
                budget.AppExclusive = budget.AppExclusive.Plus(requests);
                break;
            case PodBudgetShare.SidecarSlice:
                (entry.Kind, entry.Blocks) = (MemoryAssignmentKind.Exclusive, requests);
                budget.SidecarMemory = budget.SidecarMemory.Plus(requests);
                break;
            case PodBudgetShare.InitSlice:
                (entry.Kind, entry.Blocks) = (MemoryAssignmentKind.Exclusive, requests);
                break;
            case PodBudgetShare.InitPool:
                (entry.Kind, entry.Blocks) = (MemoryAssignmentKind.PodInitPool, budget.Totals.Minus(budget.SidecarMemory).PositivePart());
                break;
            default:
                entry.Kind = MemoryAssignmentKind.PodShared;
                break;
        }
        budget.Containers++;
        _containers[key] = entry;
        Version++;
        if (entry.Kind != MemoryAssignmentKind.PodShared || plan.NewPodBudget)
        {
            ExclusiveVersion++;
        }
        MemoryDecision decision = Describe(pod.Uid, entry, container);
        decision.HintExtended = plan.Extended;
        return decision;
    }

    private MemoryDecision Describe(string podUid, in ContainerMemoryEntry entry, ContainerSpec container)
    {
        var decision = new MemoryDecision { Kind = entry.Kind, Mems = entry.Mask, Blocks = entry.Blocks };
        if (entry.Kind == MemoryAssignmentKind.PodShared && _pods.TryGetValue(podUid, out PodMemoryEntry budget))
        {
            decision.Blocks = budget.SharedPool;
        }
        if (entry.Kind == MemoryAssignmentKind.Exclusive)
        {
            decision.Hugepages2MiLimitBytes = container.Resources.Hugepages2MiBytes;
            decision.Hugepages1GiLimitBytes = container.Resources.Hugepages1GiBytes;
        }
        return decision;
    }

    /// <summary>
    /// Replaces the state with a checkpoint's blocks (§4.7): the machine state is recomputed from
    /// defaults plus every classic block and every pod budget, with the same charging routine as
    /// admission. Returns the problems (state unchanged) when the blocks do not fit this machine.
    /// </summary>
    internal List<string> ReplaceState(
        IReadOnlyList<KeyValuePair<ContainerKey, ContainerMemoryEntry>> containers,
        IReadOnlyList<KeyValuePair<string, PodMemoryEntry>> pods,
        string? reusePod,
        IEnumerable<KeyValuePair<ulong, MemoryAmounts>> reuse)
    {
        var problems = new List<string>();
        MemoryMachineState recomputed = MemoryMachineState.Create(_options.Nodes, _options.ReservedMemory);
        ulong known = _state.AllNodesMask;
        var requested = new long[MemoryResources.Count];
        var budgets = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string podUid, PodMemoryEntry pod) in pods)
        {
            if (!budgets.Add(podUid) || pod.Mask == 0 || (pod.Mask & ~known) != 0)
            {
                problems.Add($"pod {podUid}: memory budget with NUMA mask {pod.Mask:x} is duplicated or names unknown nodes");
                continue;
            }
            for (int r = 0; r < MemoryResources.Count; r++)
            {
                long total = pod.Totals[(MemoryResource)r];
                if (total > 0)
                {
                    recomputed.Charge(pod.Mask, (MemoryResource)r, total);
                    requested[r] += total;
                }
            }
        }
        foreach ((ContainerKey key, ContainerMemoryEntry c) in containers)
        {
            if (c.Kind == MemoryAssignmentKind.None || budgets.Contains(key.PodUid))
            {
                continue;
            }
            if (c.Mask == 0 || (c.Mask & ~known) != 0)
            {
                problems.Add($"container {key.Name} of pod {key.PodUid}: memory blocks on NUMA mask {c.Mask:x}, which names unknown nodes");
                continue;
            }
            for (int r = 0; r < MemoryResources.Count; r++)
            {
                if ((c.Resources & (1 << r)) != 0)
                {
                    long size = Math.Max(0, c.Blocks[(MemoryResource)r]);
                    recomputed.Charge(c.Mask, (MemoryResource)r, size);
                    requested[r] += size;
                }
            }
        }
        for (int r = 0; r < MemoryResources.Count; r++)
        {
            long reserved = recomputed.TotalReserved((MemoryResource)r);
            if (reserved != requested[r])
            {
                problems.Add($"the expected machine state is different from the real one: {MemoryResources.NameOf((MemoryResource)r)} blocks of {requested[r]} bytes do not fit this machine's allocatable memory ({reserved} bytes placed)");
            }
        }
        if (problems.Count > 0)
        {
            return problems;
        }
        _state.CopyFrom(recomputed);
        _containers.Clear();
        _pods.Clear();
        foreach ((ContainerKey key, ContainerMemoryEntry entry) in containers)
        {
            _containers[key] = entry;
        }
        foreach ((string podUid, PodMemoryEntry pod) in pods)
        {
            _pods[podUid] = pod;
        }
        _reusePod = reusePod;
        _reuse.Clear();
        if (reusePod is not null)
        {
            foreach ((ulong mask, MemoryAmounts amounts) in reuse)
            {
                _reuse[mask] = amounts;
            }
        }
        Version++;
        ExclusiveVersion++;
        return problems;
    }

    /// <summary>The decision an admitted container holds now (for restating it); false when it holds no entry.</summary>
    public bool TryDescribe(ContainerKey key, ContainerSpec container, out MemoryDecision decision)
    {
        if (!_containers.TryGetValue(key, out ContainerMemoryEntry entry))
        {
            decision = default;
            return false;
        }
        decision = Describe(key.PodUid, entry, container);
        return true;
    }

    /// <summary>The NUMA nodes a container's memory must stay on; 0 = unrestricted.</summary>
    public ulong EffectiveMems(ContainerKey key) => _containers.TryGetValue(key, out ContainerMemoryEntry entry) ? entry.Mask : 0;

    // ---- release (§4.5 RemoveContainer, §5.6) ------------------------------------------------------

    /// <summary>
    /// Removes a container's blocks when <paramref name="containerId"/> still owns them. Classic blocks
    /// go back at once; a pod budget goes back only with the pod's last container (§5.6). Returns
    /// whether the machine state changed.
    /// </summary>
    public bool Release(ContainerKey key, string? containerId)
    {
        ref ContainerMemoryEntry entry = ref CollectionsMarshal.GetValueRefOrNullRef(_containers, key);
        if (Unsafe.IsNullRef(ref entry))
        {
            return false;
        }
        if (containerId is not null && !string.Equals(entry.ContainerId, containerId, StringComparison.Ordinal))
        {
            // A newer instance (restart) owns the entry now.
            return false;
        }
        ContainerMemoryEntry removed = entry;
        _containers.Remove(key);
        Version++;
        if (removed.Kind != MemoryAssignmentKind.PodShared)
        {
            ExclusiveVersion++;
        }

        ref PodMemoryEntry budget = ref CollectionsMarshal.GetValueRefOrNullRef(_pods, key.PodUid);
        if (!Unsafe.IsNullRef(ref budget))
        {
            if (--budget.Containers > 0)
            {
                return false;
            }
            ReleaseBlocks(budget.Mask, budget.Totals.PositiveMask, budget.Totals);
            _pods.Remove(key.PodUid);
            ExclusiveVersion++;
            return true;
        }
        ReleaseBlocks(removed.Mask, removed.Resources, removed.Blocks);
        if (removed.Role == ContainerRole.Init && string.Equals(_reusePod, key.PodUid, StringComparison.Ordinal))
        {
            // Memory of a removed init container is no longer there to be reused.
            _reusePod = null;
            _reuse.Clear();
        }
        return true;
    }

    /// <summary>Releases every entry of a pod, whichever container id owns it; true when the machine state changed.</summary>
    public bool ReleasePod(string podUid)
    {
        bool changed = false;
        // Removing the current entry while enumerating is allowed for Dictionary.
        foreach (KeyValuePair<ContainerKey, ContainerMemoryEntry> pair in _containers)
        {
            if (string.Equals(pair.Key.PodUid, podUid, StringComparison.Ordinal))
            {
                changed |= Release(pair.Key, null);
            }
        }
        if (string.Equals(_reusePod, podUid, StringComparison.Ordinal))
        {
            _reusePod = null;
            _reuse.Clear();
        }
        return changed;
    }

    private void ReleaseBlocks(ulong mask, int resources, in MemoryAmounts sizes)
    {
        for (int r = 0; r < MemoryResources.Count; r++)
        {
            if ((resources & (1 << r)) != 0)
            {
                _state.Release(mask, (MemoryResource)r, sizes[(MemoryResource)r]);
            }
        }
    }
}

/// <summary>What <see cref="StaticMemoryPolicy.TryPlan"/> decided.</summary>
internal enum MemoryPlanKind : byte
{
    /// <summary>Nothing to pin.</summary>
    Unmanaged,

    /// <summary>The container already holds blocks.</summary>
    Existing,

    /// <summary>Blocks of the container's own requests (§4.5).</summary>
    Classic,

    /// <summary>A share of the pod's budget (§5.5); <see cref="MemoryPlan.NewPodBudget"/> charges the budget first.</summary>
    PodBudget,
}

/// <summary>A planned memory admission: apply it with <see cref="StaticMemoryPolicy.Commit"/>.</summary>
internal struct MemoryPlan
{
    public MemoryPlanKind Kind;

    public ulong Mask;

    /// <summary>Container requests (classic) or pod totals (new budget).</summary>
    public MemoryAmounts Requests;

    public bool NewPodBudget;

    public bool Extended;
}
