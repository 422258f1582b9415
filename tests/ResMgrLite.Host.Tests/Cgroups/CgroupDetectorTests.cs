using ResMgrLite.Host.Cgroups;
using ResMgrLite.TestSupport.Sysfs;

namespace ResMgrLite.Host.Tests.Cgroups;

public class CgroupDetectorTests
{
    private static CgroupSituation Detect(CgroupLayout layout, params string[] controllers)
    {
        using SysfsTree tree = new SysfsMachineBuilder().Cgroups(layout, controllers).Build().WriteTree();
        return CgroupDetector.Detect(tree.ProcRoot, tree.SysfsRoot);
    }

    [Fact]
    public void Unified_host_reports_the_v2_root_and_its_controllers()
    {
        CgroupSituation situation = Detect(CgroupLayout.Unified, "cpuset", "cpu", "memory");

        Assert.Equal(CgroupMode.Unified, situation.Mode);
        Assert.Equal("/sys/fs/cgroup", situation.UnifiedMountPoint);
        Assert.Equal(["cpuset", "cpu", "memory"], situation.UnifiedControllers);
        Assert.True(situation.HasUnifiedController("memory"));
        Assert.False(situation.HasUnifiedController("io"));
        Assert.Empty(situation.V1Hierarchies);
        Assert.Null(situation.Problem);
    }

    [Fact]
    public void Hybrid_host_reports_v1_controllers_and_the_empty_unified_mount()
    {
        CgroupSituation situation = Detect(CgroupLayout.Hybrid);

        Assert.Equal(CgroupMode.Hybrid, situation.Mode);
        Assert.Equal("/sys/fs/cgroup/unified", situation.UnifiedMountPoint);
        Assert.Empty(situation.UnifiedControllers);
        Assert.Contains(situation.V1Hierarchies, h => h.MountPoint == "/sys/fs/cgroup/cpuset" && h.Controllers.SequenceEqual(["cpuset"]));
        Assert.Contains(situation.V1Hierarchies, h => h.MountPoint == "/sys/fs/cgroup/cpu,cpuacct" && h.Controllers.SequenceEqual(["cpu", "cpuacct"]));
        Assert.Contains(situation.V1Hierarchies, h => h.Controllers.SequenceEqual(["name=systemd"]));
        Assert.Null(situation.Problem);
    }

    [Fact]
    public void Legacy_host_has_no_unified_mount()
    {
        CgroupSituation situation = Detect(CgroupLayout.Legacy);

        Assert.Equal(CgroupMode.Legacy, situation.Mode);
        Assert.Null(situation.UnifiedMountPoint);
        Assert.Equal(6, situation.V1Hierarchies.Count);
    }

    [Fact]
    public void No_cgroup_mounts_is_none()
    {
        Assert.Equal(CgroupMode.None, Detect(CgroupLayout.None).Mode);
    }

    [Fact]
    public void Unreadable_mountinfo_is_unknown_with_the_reason()
    {
        CgroupSituation situation = Detect(CgroupLayout.NoMountInfo);

        Assert.Equal(CgroupMode.Unknown, situation.Mode);
        Assert.Contains("mountinfo", situation.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_controllers_file_is_reported_but_the_mode_stands()
    {
        using SysfsTree tree = new SysfsMachineBuilder().Cgroups(CgroupLayout.Unified, "cpu").Build().WriteTree();
        tree.DeleteSys("fs/cgroup/cgroup.controllers");

        CgroupSituation situation = CgroupDetector.Detect(tree.ProcRoot, tree.SysfsRoot);

        Assert.Equal(CgroupMode.Unified, situation.Mode);
        Assert.Contains("cgroup.controllers", situation.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/sys/fs/cgroup", "/fake/sys/fs/cgroup")]
    [InlineData("/sys", "/fake/sys")]
    [InlineData("/run/cgroup2", "/run/cgroup2")]
    [InlineData("/system", "/system")]
    public void Mount_points_under_sys_are_read_below_the_sysfs_root(string mountPoint, string expected) =>
        Assert.Equal(expected, CgroupDetector.MapToRoots(mountPoint, "/fake/sys"));

    [Fact]
    public void Real_host_is_detected_when_proc_is_present()
    {
        if (!File.Exists("/proc/self/mountinfo"))
        {
            return;
        }
        CgroupSituation situation = CgroupDetector.Detect("/proc", "/sys");
        Assert.NotEqual(CgroupMode.Unknown, situation.Mode);
    }
}
