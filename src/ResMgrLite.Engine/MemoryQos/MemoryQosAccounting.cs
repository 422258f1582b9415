using ResMgrLite.Engine.Model;

namespace ResMgrLite.Engine.MemoryQos;

/// <summary>The protection values of the QoS-class parent cgroups (§6.5).</summary>
internal readonly record struct QosParentValues(long RootMemoryMin, long BurstableMemoryLow);

/// <summary>
/// Memory QoS bookkeeping for the pod and QoS-class cgroups (docs/kubelet-rules.md §6.4-§6.6):
/// the active pods' memory requests, the parent values derived from them (kubepods root
/// <c>memory.min = G + B</c>, burstable <c>memory.low = B</c>, §11 rule 10), the numbers behind the
/// kubelet's two memory QoS metrics, and ordered write plans. Part of the engine's state (and of the
/// state file): after a restart the parents are written from it, never from zero. Allocation-free
/// once its dictionary has grown: plans go into the caller's list.
/// </summary>
/// <remarks>
/// Order of a plan: a parent's protection is raised before its children grow and lowered after they
/// shrink, so a child never claims protection its parent does not cover (top-down raises, then the
/// pod cgroup, then bottom-up lowers).
/// </remarks>
internal sealed class MemoryQosAccounting
{
    private readonly MemoryQosOptions _options;
    private readonly Dictionary<string, (QosClass Qos, long RequestBytes)> _pods = new(64, StringComparer.Ordinal);

    public MemoryQosAccounting(MemoryQosOptions options)
    {
        _options = options;
    }

    /// <summary>G: Σ memory requests of active Guaranteed pods.</summary>
    public long GuaranteedRequestBytes { get; private set; }

    /// <summary>B: Σ memory requests of active Burstable pods.</summary>
    public long BurstableRequestBytes { get; private set; }

    /// <summary>What the parents must hold now; zeros under <see cref="MemoryReservationPolicy.None"/> (§6.5).</summary>
    public QosParentValues Parents => ParentsFor(GuaranteedRequestBytes, BurstableRequestBytes);

    /// <summary>
    /// <c>kubelet_memory_qos_node_memory_min_bytes</c> (§6.6): memory.min of Guaranteed pods only — G,
    /// not the G + B written to the root cgroup. 0 when no protection is configured.
    /// </summary>
    public long MetricNodeMemoryMinBytes => Tiered ? GuaranteedRequestBytes : 0;

    /// <summary><c>kubelet_memory_qos_node_memory_low_bytes</c> (§6.6): memory.low of Burstable pods (B).</summary>
    public long MetricNodeMemoryLowBytes => Tiered ? BurstableRequestBytes : 0;

    public int PodCount => _pods.Count;

    /// <summary>The active pods and their requests.</summary>
    public IReadOnlyDictionary<string, (QosClass Qos, long RequestBytes)> Pods => _pods;

    private bool Tiered => _options.ReservationPolicy == MemoryReservationPolicy.TieredReservation;

    private QosParentValues ParentsFor(long g, long b) => Tiered ? new QosParentValues(g + b, b) : default;

    /// <summary>
    /// Records a pod that appears or whose request changed (§6.4, §7.3 step 8) and appends the writes
    /// to <paramref name="plan"/>: parents up, the pod cgroup, parents down. True when the accounting changed.
    /// </summary>
    public bool UpsertPod(string podUid, QosClass qos, long requestBytes, List<PodCgroupWrite> plan)
    {
        requestBytes = Math.Max(0, requestBytes);
        QosParentValues from = Parents;
        bool changed = !_pods.TryGetValue(podUid, out var old) || old != (qos, requestBytes);
        var (g, b) = Without(podUid);
        Add(ref g, ref b, qos, requestBytes);
        _pods[podUid] = (qos, requestBytes);
        (GuaranteedRequestBytes, BurstableRequestBytes) = (g, b);

        MemoryQosValues pod = MemoryQosCalculator.ForPod(qos, requestBytes, _options);
        RaiseParents(from, Parents, plan);
        if (pod.Min is { } min)
        {
            plan.Add(new PodCgroupWrite(PodCgroupTarget.Pod, PodCgroupKnob.MemoryMin, min, podUid, qos));
        }
        if (pod.Low is { } low)
        {
            plan.Add(new PodCgroupWrite(PodCgroupTarget.Pod, PodCgroupKnob.MemoryLow, low, podUid, qos));
        }
        LowerParents(from, Parents, plan);
        return changed;
    }

    /// <summary>Forgets a pod that went away and appends the parents' lowering (its cgroup is the runtime's to remove); false when it was not there.</summary>
    public bool RemovePod(string podUid, List<PodCgroupWrite> plan)
    {
        if (!_pods.ContainsKey(podUid))
        {
            return false;
        }
        QosParentValues from = Parents;
        (GuaranteedRequestBytes, BurstableRequestBytes) = Without(podUid);
        _pods.Remove(podUid);
        LowerParents(from, Parents, plan);
        return true;
    }

    /// <summary>Appends both parents unconditionally (start-up, or after a failed write: what the files hold is unknown).</summary>
    public void PlanResync(List<PodCgroupWrite> plan)
    {
        QosParentValues to = Parents;
        plan.Add(RootWrite(to));
        plan.Add(BurstableWrite(to));
    }

    /// <summary>Replaces every pod (restore from the state file).</summary>
    public void Replace(IEnumerable<(string PodUid, QosClass Qos, long RequestBytes)> pods)
    {
        _pods.Clear();
        (GuaranteedRequestBytes, BurstableRequestBytes) = (0, 0);
        foreach (var (podUid, qos, request) in pods)
        {
            long bytes = Math.Max(0, request);
            var (g, b) = Without(podUid);
            Add(ref g, ref b, qos, bytes);
            _pods[podUid] = (qos, bytes);
            (GuaranteedRequestBytes, BurstableRequestBytes) = (g, b);
        }
    }

    private static void RaiseParents(QosParentValues from, QosParentValues to, List<PodCgroupWrite> plan)
    {
        if (to.RootMemoryMin > from.RootMemoryMin)
        {
            plan.Add(RootWrite(to));
        }
        if (to.BurstableMemoryLow > from.BurstableMemoryLow)
        {
            plan.Add(BurstableWrite(to));
        }
    }

    private static void LowerParents(QosParentValues from, QosParentValues to, List<PodCgroupWrite> plan)
    {
        if (to.BurstableMemoryLow < from.BurstableMemoryLow)
        {
            plan.Add(BurstableWrite(to));
        }
        if (to.RootMemoryMin < from.RootMemoryMin)
        {
            plan.Add(RootWrite(to));
        }
    }

    private static PodCgroupWrite RootWrite(QosParentValues v) => new(PodCgroupTarget.KubepodsRoot, PodCgroupKnob.MemoryMin, v.RootMemoryMin);

    private static PodCgroupWrite BurstableWrite(QosParentValues v) => new(PodCgroupTarget.BurstableParent, PodCgroupKnob.MemoryLow, v.BurstableMemoryLow);

    private (long G, long B) Without(string podUid)
    {
        long g = GuaranteedRequestBytes, b = BurstableRequestBytes;
        if (_pods.TryGetValue(podUid, out var old))
        {
            Add(ref g, ref b, old.Qos, -old.RequestBytes);
        }
        return (g, b);
    }

    private static void Add(ref long g, ref long b, QosClass qos, long request)
    {
        if (qos == QosClass.Guaranteed)
        {
            g += request;
        }
        else if (qos == QosClass.Burstable)
        {
            b += request;
        }
    }
}
