namespace ResMgrLite.Host.Cgroups;

/// <summary>
/// The file operations the cgroup writer needs, on canonical cgroup paths (relative to the cgroup
/// mount, checked by <see cref="CgroupPathGuard"/>); a seam so tests can play the kernel's refusals.
/// Failures are <see cref="Files.HostFileException"/>s whose HResult is the errno.
/// </summary>
internal interface ICgroupFileAccess
{
    /// <summary>False when the cgroup or a directory above it does not exist; throws when a component is a symbolic link or not a directory.</summary>
    bool DirectoryExists(string cgroup);

    string Read(string cgroup, string file);

    void Write(string cgroup, string file, string value);
}
