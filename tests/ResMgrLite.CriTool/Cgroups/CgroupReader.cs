using System.Globalization;

namespace ResMgrLite.CriTool.Cgroups;

/// <summary>
/// Reads a container's cgroup files under /sys/fs/cgroup, for the cgroupfs driver's layout
/// &lt;hierarchy&gt;/&lt;cgroup parent&gt;/&lt;container id&gt;. Works on cgroup v1 (this host: one
/// hierarchy per controller) and v2 (one unified hierarchy).
/// </summary>
internal sealed class CgroupReader
{
    /// <summary>v1 prints this (PAGE_COUNTER_MAX rounded to pages) for "no memory limit".</summary>
    private const long V1UnlimitedMemoryThreshold = long.MaxValue / 2;

    private readonly string _root;

    public CgroupReader(string root = "/sys/fs/cgroup")
    {
        _root = root;
        IsUnified = File.Exists(Path.Combine(root, "cgroup.controllers"));
    }

    /// <summary>True on a pure cgroup v2 host.</summary>
    public bool IsUnified { get; }

    public string Describe => IsUnified ? "cgroup v2" : "cgroup v1";

    public string Directory(string controller, string cgroupParent, string containerId) =>
        Path.Combine(IsUnified ? _root : Path.Combine(_root, controller), cgroupParent.TrimStart('/'), containerId);

    public bool Exists(string cgroupParent, string containerId) =>
        System.IO.Directory.Exists(Directory("cpuset", cgroupParent, containerId));

    public string? Read(string controller, string cgroupParent, string containerId, string file)
    {
        var path = Path.Combine(Directory(controller, cgroupParent, containerId), file);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
    }

    public CgroupValues ReadContainer(string cgroupParent, string containerId)
    {
        if (IsUnified)
        {
            var cpus = Read("cpuset", cgroupParent, containerId, "cpuset.cpus");
            var mems = Read("cpuset", cgroupParent, containerId, "cpuset.mems");
            return new CgroupValues(
                string.IsNullOrEmpty(cpus) ? Read("cpuset", cgroupParent, containerId, "cpuset.cpus.effective") : cpus,
                string.IsNullOrEmpty(mems) ? Read("cpuset", cgroupParent, containerId, "cpuset.mems.effective") : mems,
                Read("memory", cgroupParent, containerId, "memory.max"),
                Read("memory", cgroupParent, containerId, "memory.min"),
                Read("memory", cgroupParent, containerId, "memory.high"),
                Read("cpu", cgroupParent, containerId, "cpu.weight"),
                Read("cpu", cgroupParent, containerId, "cpu.max"));
        }

        return new CgroupValues(
            Read("cpuset", cgroupParent, containerId, "cpuset.cpus"),
            Read("cpuset", cgroupParent, containerId, "cpuset.mems"),
            V1Memory(Read("memory", cgroupParent, containerId, "memory.limit_in_bytes")),
            null,
            null,
            Read("cpu", cgroupParent, containerId, "cpu.shares"),
            Read("cpu", cgroupParent, containerId, "cpu.cfs_quota_us"));
    }

    private static string? V1Memory(string? text) =>
        text is not null && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) && bytes >= V1UnlimitedMemoryThreshold
            ? "max"
            : text;
}
