namespace ResMgrLite.Host.Files;

/// <summary>What a file read from the host is expected to be; decides the size limit and whether a symbolic link is followed.</summary>
internal enum HostFileKind
{
    /// <summary>A configuration file (1 MiB; a symbolic link is followed: operators link configurations into place).</summary>
    Configuration,

    /// <summary>The plugin's state file (64 MiB; never a symbolic link: the plugin writes it itself).</summary>
    State,

    /// <summary>A sysfs, procfs or cgroup attribute file (64 KiB; never a symbolic link).</summary>
    KernelAttribute,

    /// <summary>/proc/self/mountinfo, which grows with every mount of every pod (16 MiB; never a symbolic link).</summary>
    MountTable,

    /// <summary>A document named on the command line for an offline run: a pods list, a captured topology (16 MiB; a symbolic link is followed).</summary>
    InputDocument,
}
