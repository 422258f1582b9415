namespace ResMgrLite.Host.Cgroups;

/// <summary>What <see cref="CgroupWriter.Probe"/> found.</summary>
internal enum CgroupPresence
{
    Present,

    /// <summary>The cgroup (or a directory above it) does not exist.</summary>
    Gone,

    /// <summary>Cannot tell: the path was refused (outside the kubepods tree, through a symbolic link) or unreadable; logged.</summary>
    Unknown,
}
