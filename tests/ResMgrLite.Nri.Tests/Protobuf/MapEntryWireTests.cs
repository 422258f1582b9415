using Google.Protobuf;
using ResMgrLite.Nri.Api;

namespace ResMgrLite.Nri.Tests.Protobuf;

/// <summary>
/// nri.proto declares NRI's map fields as repeated entry messages. The expected bytes below were
/// written by the generated code of the map&lt;K, V&gt; declarations (Google.Protobuf 3.36.2) before the
/// change: the same messages must encode to the same bytes, and decode with map semantics.
/// </summary>
public sealed class MapEntryWireTests
{
    private const string UnifiedBytes =
        "32180A0A6D656D6F72792E6D696E120A31303733373431383234" +
        "32120A0B6D656D6F72792E6869676812036D6178" +
        "320C0A0A6D656D6F72792E6C6F77";

    private static LinuxResources Resources()
    {
        var resources = new LinuxResources();
        resources.Unified.Set("memory.min", "1073741824");
        resources.Unified.Set("memory.high", "max");
        resources.Unified.Set("memory.low", "");
        return resources;
    }

    [Fact]
    public void Unified_encodes_as_the_map_did_including_an_empty_value()
    {
        Assert.Equal(UnifiedBytes, Convert.ToHexString(Resources().ToByteArray()));
    }

    [Fact]
    public void An_adjustment_with_every_former_map_and_both_flag_lists_encodes_as_before()
    {
        var adjustment = new ContainerAdjustment { Linux = new LinuxContainerAdjustment { Resources = Resources() } };
        adjustment.Annotations.Set("example.com/a", "1");
        adjustment.Linux.Sysctl.Set("net.core.somaxconn", "1024");
        adjustment.Linux.NetDevices.Add(new NetDeviceEntry { Key = "eth0", Value = new LinuxNetDevice { Name = "net0" } });
        adjustment.Linux.NetDevices.Add(new NetDeviceEntry { Key = "eth1", Value = new LinuxNetDevice() });
        // SCHED_FLAG_RECLAIM, SCHED_FLAG_KEEP_PARAMS; MPOL_F_STATIC_NODES, MPOL_F_NUMA_BALANCING.
        adjustment.Linux.Scheduler = new LinuxScheduler { Policy = LinuxSchedulerPolicy.SchedRr, Flags = { 1, 4 } };
        adjustment.Linux.MemoryPolicy = new LinuxMemoryPolicy { Mode = MpolMode.MpolBind, Nodes = "0-1", Flags = { 0, 2 } };

        Assert.Equal(
            "12120A0D6578616D706C652E636F6D2F61120131" + // annotations
            "328901" + "123C" + UnifiedBytes + // linux { resources {
            // sysctl, net_devices (eth0, then eth1 with an empty value), scheduler, memory_policy
            "421A0A126E65742E636F72652E736F6D6178636F6E6E120431303234" +
            "4A0E0A046574683012060A046E657430" +
            "4A080A046574683112005206080322020104620B08021203302D311A020002",
            Convert.ToHexString(adjustment.ToByteArray()));
    }

    [Fact]
    public void Owners_pods_and_containers_encode_as_before()
    {
        var field = new FieldOwners
        {
            Simple = { new SimpleFieldOwnerEntry { Key = 3, Value = "plugin-a" }, new SimpleFieldOwnerEntry { Key = 0, Value = "plugin-z" } },
        };
        var compound = new CompoundFieldOwners();
        compound.Owners.Set("hugepages-2Mi", "plugin-b");
        field.Compound.Add(new CompoundFieldOwnersEntry { Key = 4, Value = compound });
        var owners = new OwningPlugins { Owners = { new FieldOwnersEntry { Key = "ctr-1", Value = field } } };
        Assert.Equal(
            "0A440A056374722D31123B0A0C08031208706C7567696E2D610A0A1208706C7567696E2D7A121F0804121B0A190A0D6875676570616765732D324D691208706C7567696E2D62",
            Convert.ToHexString(owners.ToByteArray()));

        var pod = new PodSandbox { Id = "p" };
        pod.Labels.Set("app", "web");
        pod.Annotations.Set("x", "y");
        Assert.Equal("0A01702A0A0A03617070120377656232060A0178120179", Convert.ToHexString(pod.ToByteArray()));

        var container = new Container { Id = "c", Linux = new LinuxContainer() };
        container.Labels.Set("l", "1");
        container.Annotations.Set("a", "2");
        container.Linux.Sysctl.Set("s", "3");
        container.Linux.NetDevices.Add(new NetDeviceEntry { Key = "d", Value = new LinuxNetDevice { Name = "n" } });
        Assert.Equal("0A01632A060A016C12013132060A01611201325A124A060A017312013352080A016412030A016E", Convert.ToHexString(container.ToByteArray()));
    }

    [Fact]
    public void A_key_the_runtime_repeats_reads_as_its_last_value_as_for_a_map()
    {
        // annotations { x: 1 } { x: 2 } { y: <no value> }
        PodSandbox pod = PodSandbox.Parser.ParseFrom(Convert.FromHexString("32060A0178120131" + "32060A0178120132" + "32030A0179"));

        Assert.True(pod.Annotations.TryGetValue("x", out string? x));
        Assert.Equal("2", x);
        Assert.True(pod.Annotations.TryGetValue("y", out string? y));
        Assert.Equal("", y);
        Assert.False(pod.Annotations.TryGetValue("X", out _));
        Assert.Equal(3, pod.Annotations.Count);
    }

    [Fact]
    public void Set_replaces_a_key_in_place_so_a_key_is_never_sent_twice()
    {
        var resources = new LinuxResources();
        resources.Unified.Set("memory.min", "1");
        resources.Unified.Set("memory.max", "2");
        resources.Unified.Set("memory.min", "3");

        Assert.Equal(["memory.min=3", "memory.max=2"], resources.Unified.Select(e => $"{e.Key}={e.Value}"));
    }
}
