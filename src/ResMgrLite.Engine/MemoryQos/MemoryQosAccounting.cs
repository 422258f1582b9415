using System.Globalization;
using ResMgrLite.Engine.Model;

namespace ResMgrLite.Engine.MemoryQos;

/// <summary>The protection values of the QoS-class parent cgroups (§6.5).</summary>
public readonly record struct QosParentValues(long RootMemoryMin, long BurstableMemoryLow);

/// <summary>
/// Memory QoS bookkeeping for the pod and QoS-class cgroups (spec/resource-managers.md §6.4-§6.6):
/// the active pods' memory requests, the parent values derived from them (kubepods root
/// <c>memory.min = G + B</c>, burstable <c>memory.low = B</c>, §11 rule 10), the numbers behind the
/// kubelet's two memory QoS metrics, and ordered write plans. Planning does not change anything;
/// call <see cref="UpsertPod"/> / <see cref="RemovePod"/> once the plan has been applied.
/// </summary>
/// <remarks>
/// Order of a plan: a parent's protection is raised before its children grow and lowered after they
/// shrink, so a child never claims protection its parent does not cover (top-down raises, then the
/// pod cgroup, then bottom-up lowers).
/// </remarks>
public sealed class MemoryQosAccounting
{
    private readonly MemoryQosOptions _options;
    private readonly QosCgroupLayout _layout;
    private readonly Dictionary<string, (QosClass Qos, long RequestBytes)> _pods = new(StringComparer.Ordinal);

    public MemoryQosAccounting(MemoryQosOptions options, QosCgroupLayout layout)
    {
        _options = options;
        _layout = layout;
    }

    public QosCgroupLayout Layout => _layout;

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

    /// <summary>Writes for a pod that appears or whose request changed (§6.4, §7.3 step 8): parents up, the pod cgroup, parents down.</summary>
    public IReadOnlyList<CgroupWrite> PlanUpsertPod(string podUid, QosClass qos, long requestBytes, string? podCgroup = null)
    {
        requestBytes = Math.Max(0, requestBytes);
        var (g, b) = Without(podUid);
        Add(ref g, ref b, qos, requestBytes);
        var pod = new List<CgroupWrite>(2);
        foreach (KeyValuePair<string, string> file in MemoryQosCalculator.ForPod(qos, requestBytes, _options).Files())
        {
            pod.Add(new CgroupWrite(podCgroup ?? _layout.PodCgroup(qos, podUid), file.Key, file.Value));
        }
        return PlanTransition(Parents, ParentsFor(g, b), pod);
    }

    /// <summary>Records a pod whose <see cref="PlanUpsertPod"/> plan was applied.</summary>
    public void UpsertPod(string podUid, QosClass qos, long requestBytes)
    {
        requestBytes = Math.Max(0, requestBytes);
        var (g, b) = Without(podUid);
        Add(ref g, ref b, qos, requestBytes);
        _pods[podUid] = (qos, requestBytes);
        (GuaranteedRequestBytes, BurstableRequestBytes) = (g, b);
    }

    /// <summary>Writes for a pod that went away: the parents are lowered (its cgroup is the runtime's to remove).</summary>
    public IReadOnlyList<CgroupWrite> PlanRemovePod(string podUid)
    {
        var (g, b) = Without(podUid);
        return PlanTransition(Parents, ParentsFor(g, b), []);
    }

    /// <summary>Forgets a pod whose <see cref="PlanRemovePod"/> plan was applied.</summary>
    public void RemovePod(string podUid)
    {
        (GuaranteedRequestBytes, BurstableRequestBytes) = Without(podUid);
        _pods.Remove(podUid);
    }

    /// <summary>Replaces every pod (restore from the state file).</summary>
    public void Replace(IEnumerable<(string PodUid, QosClass Qos, long RequestBytes)> pods)
    {
        _pods.Clear();
        (GuaranteedRequestBytes, BurstableRequestBytes) = (0, 0);
        foreach (var (podUid, qos, request) in pods)
        {
            UpsertPod(podUid, qos, request);
        }
    }

    /// <summary>Writes both parents unconditionally (start-up, or after a failed cycle: what the files hold is unknown).</summary>
    public IReadOnlyList<CgroupWrite> PlanResync() => PlanTransition(null, Parents, []);

    /// <summary>
    /// The ordered plan from <paramref name="from"/> to <paramref name="to"/> around the
    /// <paramref name="children"/> writes. A null <paramref name="from"/> (unknown) writes both parents first.
    /// </summary>
    public IReadOnlyList<CgroupWrite> PlanTransition(QosParentValues? from, QosParentValues to, IReadOnlyList<CgroupWrite> children)
    {
        var plan = new List<CgroupWrite>(children.Count + 2);
        long rootFrom = from?.RootMemoryMin ?? long.MinValue, burstableFrom = from?.BurstableMemoryLow ?? long.MinValue;
        if (to.RootMemoryMin > rootFrom)
        {
            plan.Add(RootWrite(to));
        }
        if (to.BurstableMemoryLow > burstableFrom)
        {
            plan.Add(BurstableWrite(to));
        }
        plan.AddRange(children);
        if (from is not null && to.BurstableMemoryLow < burstableFrom)
        {
            plan.Add(BurstableWrite(to));
        }
        if (from is not null && to.RootMemoryMin < rootFrom)
        {
            plan.Add(RootWrite(to));
        }
        return plan;
    }

    private CgroupWrite RootWrite(QosParentValues v) =>
        new(_layout.Root, MemoryQosValues.MinFile, v.RootMemoryMin.ToString(CultureInfo.InvariantCulture));

    private CgroupWrite BurstableWrite(QosParentValues v) =>
        new(_layout.Burstable, MemoryQosValues.LowFile, v.BurstableMemoryLow.ToString(CultureInfo.InvariantCulture));

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
