using ResMgrLite.Engine.Model;

namespace ResMgrLite.Engine.MemoryQos;

/// <summary>The kubelet's cgroup driver: how QoS and pod cgroups are named.</summary>
internal enum CgroupDriver
{
    /// <summary><c>kubepods/burstable/pod&lt;uid&gt;</c>.</summary>
    Cgroupfs,

    /// <summary><c>kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod&lt;uid with _&gt;.slice</c>.</summary>
    Systemd,
}

/// <summary>
/// Where the kubelet's QoS-class and pod cgroups live under the cgroup v2 mount, for both drivers
/// (the kubelet's default cgroup root "/"; <see cref="Prefix"/> covers a custom <c>--cgroup-root</c>).
/// Guaranteed pods sit directly below the kubepods root (docs/kubelet-rules.md §6.5).
/// </summary>
internal sealed record QosCgroupLayout(CgroupDriver Driver, string Prefix = "")
{
    /// <summary>The kubepods root: the parent of Guaranteed pods and of the burstable and besteffort cgroups.</summary>
    public string Root => Join(Driver == CgroupDriver.Systemd ? "kubepods.slice" : "kubepods");

    public string Burstable => Join(Driver == CgroupDriver.Systemd ? "kubepods.slice/kubepods-burstable.slice" : "kubepods/burstable");

    public string BestEffort => Join(Driver == CgroupDriver.Systemd ? "kubepods.slice/kubepods-besteffort.slice" : "kubepods/besteffort");

    /// <summary>The pod cgroup of a pod of class <paramref name="qos"/>.</summary>
    public string PodCgroup(QosClass qos, string podUid)
    {
        if (Driver == CgroupDriver.Cgroupfs)
        {
            return qos switch
            {
                QosClass.Guaranteed => $"{Root}/pod{podUid}",
                QosClass.Burstable => $"{Burstable}/pod{podUid}",
                _ => $"{BestEffort}/pod{podUid}",
            };
        }
        // systemd slice names cannot hold '-' inside a unit name component: the kubelet escapes the UID's dashes.
        string escaped = podUid.Replace('-', '_');
        return qos switch
        {
            QosClass.Guaranteed => $"{Root}/kubepods-pod{escaped}.slice",
            QosClass.Burstable => $"{Burstable}/kubepods-burstable-pod{escaped}.slice",
            _ => $"{BestEffort}/kubepods-besteffort-pod{escaped}.slice",
        };
    }

    /// <summary>
    /// The cgroup a planned write goes to; <paramref name="podCgroup"/>, when given, is the pod's cgroup
    /// as the runtime named it and wins over the layout's naming.
    /// </summary>
    public string CgroupOf(in PodCgroupWrite write, string? podCgroup = null) => write.Target switch
    {
        PodCgroupTarget.KubepodsRoot => Root,
        PodCgroupTarget.BurstableParent => Burstable,
        _ => podCgroup ?? PodCgroup(write.Qos, write.PodUid),
    };

    private string Join(string path) => Prefix.Length == 0 ? path : Prefix.TrimEnd('/') + "/" + path;
}
