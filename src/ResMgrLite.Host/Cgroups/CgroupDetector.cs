using ResMgrLite.Host.Files;

namespace ResMgrLite.Host.Cgroups;

/// <summary>
/// Finds the cgroup mounts from <c>&lt;proc&gt;/self/mountinfo</c> and the v2 controllers from
/// the v2 root's <c>cgroup.controllers</c>.
/// </summary>
/// <remarks>
/// Both roots are parameters so tests can point at generated trees. A mount point under
/// <c>/sys</c> is read below the given sysfs root, so a fake sysfs carries its own cgroup files.
/// Detection never throws: a host we cannot read is reported as <see cref="CgroupMode.Unknown"/>
/// with the reason, because the caller decides whether that is fatal (Memory QoS needs v2,
/// topology printing does not).
/// </remarks>
internal static class CgroupDetector
{
    public const string DefaultProcRoot = "/proc";
    private const string SysMount = "/sys";
    private const string PreferredUnifiedMount = "/sys/fs/cgroup";

    // cgroup v1 super options that are not controllers.
    private static readonly HashSet<string> NonControllerOptions =
        new(StringComparer.Ordinal) { "rw", "ro", "noprefix", "clone_children", "xattr", "cpuset_v2_mode", "nsdelegate", "favordynmods" };

    public static CgroupSituation Detect(string procRoot, string sysfsRoot)
    {
        ArgumentNullException.ThrowIfNull(procRoot);
        ArgumentNullException.ThrowIfNull(sysfsRoot);
        string mountInfoPath = Path.Combine(procRoot, "self", "mountinfo");
        List<MountInfoEntry> mounts;
        try
        {
            mounts = MountInfoParser.Parse(HostFile.ReadText(mountInfoPath, HostFileKind.MountTable), mountInfoPath);
        }
        catch (IOException e)
        {
            return new CgroupSituation { Mode = CgroupMode.Unknown, Problem = $"{mountInfoPath}: {ErrorText.Of(e)}" };
        }
        catch (FormatException e)
        {
            return new CgroupSituation { Mode = CgroupMode.Unknown, Problem = e.Message };
        }

        var unifiedMounts = new List<string>();
        var v1 = new List<CgroupV1Hierarchy>();
        foreach (MountInfoEntry mount in mounts)
        {
            if (mount.FileSystemType == "cgroup2")
            {
                unifiedMounts.Add(mount.MountPoint);
            }
            else if (mount.FileSystemType == "cgroup")
            {
                var controllers = new List<string>();
                foreach (string option in mount.SuperOptions.Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (!NonControllerOptions.Contains(option) && !option.StartsWith("release_agent=", StringComparison.Ordinal))
                    {
                        controllers.Add(option);
                    }
                }
                v1.Add(new CgroupV1Hierarchy(mount.MountPoint, controllers));
            }
        }

        string? unified = unifiedMounts.Contains(PreferredUnifiedMount) ? PreferredUnifiedMount : unifiedMounts.Count > 0 ? unifiedMounts[0] : null;
        CgroupMode mode = (unified, v1.Count) switch
        {
            (null, 0) => CgroupMode.None,
            (null, _) => CgroupMode.Legacy,
            (_, 0) => CgroupMode.Unified,
            _ => CgroupMode.Hybrid,
        };

        IReadOnlyList<string> controllersV2 = [];
        string? problem = null;
        if (unified is not null)
        {
            string controllersPath = Path.Combine(MapToRoots(unified, sysfsRoot), "cgroup.controllers");
            try
            {
                controllersV2 = HostFile.ReadText(controllersPath, HostFileKind.KernelAttribute).Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries);
            }
            catch (IOException e)
            {
                problem = $"{controllersPath}: {ErrorText.Of(e)}";
            }
        }

        return new CgroupSituation
        {
            Mode = mode,
            UnifiedMountPoint = unified,
            UnifiedControllers = controllersV2,
            V1Hierarchies = v1,
            Problem = problem,
        };
    }

    /// <summary>Where to read a mount point's files: below the sysfs root if it lives under /sys.</summary>
    public static string MapToRoots(string mountPoint, string sysfsRoot)
    {
        if (mountPoint == SysMount)
        {
            return sysfsRoot;
        }
        if (mountPoint.StartsWith(SysMount + "/", StringComparison.Ordinal))
        {
            return Path.Combine(sysfsRoot, mountPoint[(SysMount.Length + 1)..]);
        }
        return mountPoint;
    }
}
