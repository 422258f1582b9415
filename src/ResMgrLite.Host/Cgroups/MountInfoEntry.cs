namespace ResMgrLite.Host.Cgroups;

/// <summary>The parts of one <c>/proc/self/mountinfo</c> line that cgroup detection needs.</summary>
/// <param name="MountPoint">Mount point, with the kernel's octal escapes (<c>\040</c>) decoded.</param>
/// <param name="FileSystemType">File system type after the <c>-</c> separator (<c>cgroup</c>, <c>cgroup2</c>).</param>
/// <param name="SuperOptions">Per-superblock options; for cgroup v1 they name the controllers.</param>
internal readonly record struct MountInfoEntry(string MountPoint, string FileSystemType, string SuperOptions);
