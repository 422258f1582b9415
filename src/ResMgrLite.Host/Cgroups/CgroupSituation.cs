namespace ResMgrLite.Host.Cgroups;

/// <summary>What the host offers: cgroup mode, the v2 mount and its controllers, the v1 hierarchies.</summary>
internal sealed record CgroupSituation
{
    public required CgroupMode Mode { get; init; }

    /// <summary>The cgroup v2 mount point (the one at /sys/fs/cgroup when there are several); null if none.</summary>
    public string? UnifiedMountPoint { get; init; }

    /// <summary>Controllers listed in the v2 root's <c>cgroup.controllers</c> (empty on hybrid hosts, where v1 holds them).</summary>
    public IReadOnlyList<string> UnifiedControllers { get; init; } = [];

    public IReadOnlyList<CgroupV1Hierarchy> V1Hierarchies { get; init; } = [];

    /// <summary>Why something could not be determined (unreadable mountinfo or cgroup.controllers); null when all was read.</summary>
    public string? Problem { get; init; }

    public bool HasUnifiedController(string controller) => Lists(UnifiedControllers, controller);

    /// <summary>The v1 hierarchy that holds <paramref name="controller"/>; null when none does.</summary>
    public CgroupV1Hierarchy? V1HierarchyWith(string controller)
    {
        foreach (CgroupV1Hierarchy hierarchy in V1Hierarchies)
        {
            if (Lists(hierarchy.Controllers, controller))
            {
                return hierarchy;
            }
        }
        return null;
    }

    private static bool Lists(IReadOnlyList<string> controllers, string controller)
    {
        foreach (string name in controllers)
        {
            if (string.Equals(name, controller, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }
}
