using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.MemoryQos;

namespace ResMgrLite.Engine.Tests.MemoryQos;

/// <summary>QoS-parent aggregation, metrics and write order (docs/kubelet-rules.md §6.4-§6.6).</summary>
public sealed class MemoryQosAccountingTests
{
    private const long Mi = 1L << 20;

    private static readonly MemoryQosOptions Tiered = new() { ReservationPolicy = MemoryReservationPolicy.TieredReservation };

    /// <summary>The plan as the host would write it with <paramref name="layout"/>: "cgroup/file = value" per line.</summary>
    private static string Plan(QosCgroupLayout layout, List<PodCgroupWrite> plan) =>
        string.Join("\n", plan.Select(w => new CgroupWrite(layout.CgroupOf(w), w.MemoryFile!, w.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToString()));

    private static readonly QosCgroupLayout Cgroupfs = new(CgroupDriver.Cgroupfs);
    private static readonly QosCgroupLayout Systemd = new(CgroupDriver.Systemd);

    [Fact]
    public void Root_protects_guaranteed_plus_burstable_while_the_metric_reports_guaranteed_only()
    {
        var accounting = new MemoryQosAccounting(Tiered);
        var plan = new List<PodCgroupWrite>();
        accounting.UpsertPod("g1", QosClass.Guaranteed, 300 * Mi, plan);
        accounting.UpsertPod("b1", QosClass.Burstable, 100 * Mi, plan);
        accounting.UpsertPod("b2", QosClass.Burstable, 50 * Mi, plan);
        accounting.UpsertPod("e1", QosClass.BestEffort, 0, plan);
        Assert.Equal(new QosParentValues(450 * Mi, 150 * Mi), accounting.Parents);
        Assert.Equal(300 * Mi, accounting.MetricNodeMemoryMinBytes);
        Assert.Equal(150 * Mi, accounting.MetricNodeMemoryLowBytes);

        // A resize of one pod replaces its old request.
        Assert.True(accounting.UpsertPod("b1", QosClass.Burstable, 10 * Mi, plan));
        Assert.False(accounting.UpsertPod("b1", QosClass.Burstable, 10 * Mi, plan));
        Assert.Equal(new QosParentValues(360 * Mi, 60 * Mi), accounting.Parents);
        Assert.True(accounting.RemovePod("g1", plan));
        Assert.False(accounting.RemovePod("g1", plan));
        Assert.Equal(new QosParentValues(60 * Mi, 60 * Mi), accounting.Parents);
    }

    [Fact]
    public void Parents_are_raised_before_a_new_pod_and_lowered_after_one_leaves()
    {
        var accounting = new MemoryQosAccounting(Tiered);
        var add = new List<PodCgroupWrite>();
        accounting.UpsertPod("1234-ab", QosClass.Burstable, 100 * Mi, add);
        Assert.Equal(
            "kubepods/memory.min = 104857600\n" +
            "kubepods/burstable/memory.low = 104857600\n" +
            "kubepods/burstable/pod1234-ab/memory.min = 0\n" +
            "kubepods/burstable/pod1234-ab/memory.low = 104857600", Plan(Cgroupfs, add));
        Assert.Equal(new QosParentValues(100 * Mi, 100 * Mi), accounting.Parents);

        var remove = new List<PodCgroupWrite>();
        accounting.RemovePod("1234-ab", remove);
        Assert.Equal("kubepods/burstable/memory.low = 0\nkubepods/memory.min = 0", Plan(Cgroupfs, remove));
    }

    [Fact]
    public void Shrinking_a_pod_lowers_the_pod_before_its_parents()
    {
        var accounting = new MemoryQosAccounting(Tiered);
        accounting.UpsertPod("g-1", QosClass.Guaranteed, 200 * Mi, []);
        var shrink = new List<PodCgroupWrite>();
        accounting.UpsertPod("g-1", QosClass.Guaranteed, 100 * Mi, shrink);
        Assert.Equal(
            "kubepods.slice/kubepods-podg_1.slice/memory.min = 104857600\n" +
            "kubepods.slice/kubepods-podg_1.slice/memory.low = 0\n" +
            "kubepods.slice/memory.min = 104857600", Plan(Systemd, shrink));
    }

    [Fact]
    public void Policy_none_and_resync_write_zeros_to_both_parents()
    {
        var accounting = new MemoryQosAccounting(new MemoryQosOptions());
        accounting.UpsertPod("g", QosClass.Guaranteed, 200 * Mi, []);
        Assert.Equal(default, accounting.Parents);
        Assert.Equal(0, accounting.MetricNodeMemoryMinBytes);
        var resync = new List<PodCgroupWrite>();
        accounting.PlanResync(resync);
        Assert.Equal(
            "kubepods.slice/memory.min = 0\nkubepods.slice/kubepods-burstable.slice/memory.low = 0", Plan(Systemd, resync));
    }

    [Fact]
    public void Layouts_name_qos_and_pod_cgroups_for_both_drivers()
    {
        QosCgroupLayout cgroupfs = Cgroupfs;
        Assert.Equal("kubepods/pod1-2", cgroupfs.PodCgroup(QosClass.Guaranteed, "1-2"));
        Assert.Equal("kubepods/besteffort/pod1-2", cgroupfs.PodCgroup(QosClass.BestEffort, "1-2"));
        QosCgroupLayout systemd = Systemd;
        Assert.Equal("kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1_2.slice", systemd.PodCgroup(QosClass.Burstable, "1-2"));
        Assert.Equal("kubepods.slice/kubepods-besteffort.slice", systemd.BestEffort);
        Assert.Equal("custom/kubepods/burstable", new QosCgroupLayout(CgroupDriver.Cgroupfs, "custom/").Burstable);
        Assert.Equal("kubepods/burstable/podu", cgroupfs.CgroupOf(new PodCgroupWrite(PodCgroupTarget.Pod, PodCgroupKnob.MemoryLow, 1, "u", QosClass.Burstable)));
        Assert.Equal("runtime/named", cgroupfs.CgroupOf(new PodCgroupWrite(PodCgroupTarget.Pod, PodCgroupKnob.MemoryLow, 1, "u", QosClass.Burstable), "runtime/named"));
    }
}
