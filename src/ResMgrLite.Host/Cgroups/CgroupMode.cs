namespace ResMgrLite.Host.Cgroups;

/// <summary>How the host's cgroup hierarchies are mounted.</summary>
internal enum CgroupMode
{
    /// <summary>The mount table could not be read.</summary>
    Unknown,

    /// <summary>No cgroup file system is mounted.</summary>
    None,

    /// <summary>Only cgroup v1 controller hierarchies.</summary>
    Legacy,

    /// <summary>cgroup v1 controller hierarchies plus a cgroup v2 mount (usually /sys/fs/cgroup/unified).</summary>
    Hybrid,

    /// <summary>Only cgroup v2 (the mode Memory QoS needs).</summary>
    Unified,
}
