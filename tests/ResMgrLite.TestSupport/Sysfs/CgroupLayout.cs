namespace ResMgrLite.TestSupport.Sysfs;

/// <summary>Which cgroup mounts the generated proc/self/mountinfo describes.</summary>
internal enum CgroupLayout
{
    /// <summary>No mountinfo file at all.</summary>
    NoMountInfo,

    /// <summary>A mountinfo without any cgroup mount.</summary>
    None,

    /// <summary>cgroup2 at /sys/fs/cgroup only.</summary>
    Unified,

    /// <summary>v1 controllers under /sys/fs/cgroup/&lt;controller&gt; plus cgroup2 at /sys/fs/cgroup/unified (systemd hybrid).</summary>
    Hybrid,

    /// <summary>v1 controllers only.</summary>
    Legacy,
}
