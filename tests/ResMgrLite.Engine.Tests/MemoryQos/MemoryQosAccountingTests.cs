using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.MemoryQos;

namespace ResMgrLite.Engine.Tests.MemoryQos;

/// <summary>QoS-parent aggregation, metrics and write order (spec/resource-managers.md §6.4-§6.6).</summary>
public sealed class MemoryQosAccountingTests
{
    private const long Mi = 1L << 20;

    private static readonly MemoryQosOptions Tiered = new() { ReservationPolicy = MemoryReservationPolicy.TieredReservation };

    private static string Plan(IReadOnlyList<CgroupWrite> plan) => string.Join("\n", plan.Select(w => w.ToString()));

    [Fact]
    public void Root_protects_guaranteed_plus_burstable_while_the_metric_reports_guaranteed_only()
    {
        var accounting = new MemoryQosAccounting(Tiered, new QosCgroupLayout(CgroupDriver.Cgroupfs));
        accounting.UpsertPod("g1", QosClass.Guaranteed, 300 * Mi);
        accounting.UpsertPod("b1", QosClass.Burstable, 100 * Mi);
        accounting.UpsertPod("b2", QosClass.Burstable, 50 * Mi);
        accounting.UpsertPod("e1", QosClass.BestEffort, 0);
        Assert.Equal(new QosParentValues(450 * Mi, 150 * Mi), accounting.Parents);
        Assert.Equal(300 * Mi, accounting.MetricNodeMemoryMinBytes);
        Assert.Equal(150 * Mi, accounting.MetricNodeMemoryLowBytes);

        // A resize of one pod replaces its old request.
        accounting.UpsertPod("b1", QosClass.Burstable, 10 * Mi);
        Assert.Equal(new QosParentValues(360 * Mi, 60 * Mi), accounting.Parents);
        accounting.RemovePod("g1");
        Assert.Equal(new QosParentValues(60 * Mi, 60 * Mi), accounting.Parents);
    }

    [Fact]
    public void Parents_are_raised_before_a_new_pod_and_lowered_after_one_leaves()
    {
        var accounting = new MemoryQosAccounting(Tiered, new QosCgroupLayout(CgroupDriver.Cgroupfs));
        IReadOnlyList<CgroupWrite> add = accounting.PlanUpsertPod("1234-ab", QosClass.Burstable, 100 * Mi);
        Assert.Equal(
            "kubepods/memory.min = 104857600\n" +
            "kubepods/burstable/memory.low = 104857600\n" +
            "kubepods/burstable/pod1234-ab/memory.min = 0\n" +
            "kubepods/burstable/pod1234-ab/memory.low = 104857600", Plan(add));
        // Planning changes nothing.
        Assert.Equal(default, accounting.Parents);
        accounting.UpsertPod("1234-ab", QosClass.Burstable, 100 * Mi);

        IReadOnlyList<CgroupWrite> remove = accounting.PlanRemovePod("1234-ab");
        Assert.Equal("kubepods/burstable/memory.low = 0\nkubepods/memory.min = 0", Plan(remove));
    }

    [Fact]
    public void Shrinking_a_pod_lowers_the_pod_before_its_parents()
    {
        var accounting = new MemoryQosAccounting(Tiered, new QosCgroupLayout(CgroupDriver.Systemd));
        accounting.UpsertPod("g-1", QosClass.Guaranteed, 200 * Mi);
        IReadOnlyList<CgroupWrite> shrink = accounting.PlanUpsertPod("g-1", QosClass.Guaranteed, 100 * Mi);
        Assert.Equal(
            "kubepods.slice/kubepods-podg_1.slice/memory.min = 104857600\n" +
            "kubepods.slice/kubepods-podg_1.slice/memory.low = 0\n" +
            "kubepods.slice/memory.min = 104857600", Plan(shrink));
    }

    [Fact]
    public void Policy_none_and_resync_write_zeros_to_both_parents()
    {
        var accounting = new MemoryQosAccounting(new MemoryQosOptions(), new QosCgroupLayout(CgroupDriver.Systemd));
        accounting.UpsertPod("g", QosClass.Guaranteed, 200 * Mi);
        Assert.Equal(default, accounting.Parents);
        Assert.Equal(0, accounting.MetricNodeMemoryMinBytes);
        Assert.Equal(
            "kubepods.slice/memory.min = 0\nkubepods.slice/kubepods-burstable.slice/memory.low = 0", Plan(accounting.PlanResync()));
    }

    [Fact]
    public void Layouts_name_qos_and_pod_cgroups_for_both_drivers()
    {
        var cgroupfs = new QosCgroupLayout(CgroupDriver.Cgroupfs);
        Assert.Equal("kubepods/pod1-2", cgroupfs.PodCgroup(QosClass.Guaranteed, "1-2"));
        Assert.Equal("kubepods/besteffort/pod1-2", cgroupfs.PodCgroup(QosClass.BestEffort, "1-2"));
        var systemd = new QosCgroupLayout(CgroupDriver.Systemd);
        Assert.Equal("kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1_2.slice", systemd.PodCgroup(QosClass.Burstable, "1-2"));
        Assert.Equal("kubepods.slice/kubepods-besteffort.slice", systemd.BestEffort);
        Assert.Equal("custom/kubepods/burstable", new QosCgroupLayout(CgroupDriver.Cgroupfs, "custom/").Burstable);
    }
}
