namespace ResMgrLite.Host.Cgroups;

/// <summary>One mounted cgroup v1 hierarchy.</summary>
/// <param name="MountPoint">Where it is mounted.</param>
/// <param name="Controllers">Controllers bound to it, and <c>name=</c> for named hierarchies.</param>
internal sealed record CgroupV1Hierarchy(string MountPoint, IReadOnlyList<string> Controllers);
