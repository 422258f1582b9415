namespace ResMgrLite.Engine.Memory;

/// <summary>
/// The resources the Static memory policy manages (docs/kubelet-rules.md §4): regular memory
/// and the two hugepage sizes a container can request. Values index <see cref="MemoryAmounts"/>.
/// </summary>
internal enum MemoryResource
{
    Memory = 0,
    Hugepages2Mi = 1,
    Hugepages1Gi = 2,
}

/// <summary>Kubelet resource names and page sizes of <see cref="MemoryResource"/> (§1.3).</summary>
internal static class MemoryResources
{
    public const int Count = 3;

    public const long PageSize2MiKiB = 2048;
    public const long PageSize1GiKiB = 1024 * 1024;

    /// <summary>The kubelet's resource name: <c>memory</c>, <c>hugepages-2Mi</c>, <c>hugepages-1Gi</c>.</summary>
    public static string NameOf(MemoryResource resource) => resource switch
    {
        MemoryResource.Memory => "memory",
        MemoryResource.Hugepages2Mi => "hugepages-2Mi",
        MemoryResource.Hugepages1Gi => "hugepages-1Gi",
        _ => throw new ArgumentOutOfRangeException(nameof(resource)),
    };

    /// <summary>Maps a kubelet resource name back; false for other names (e.g. <c>hugepages-16Gi</c>).</summary>
    public static bool TryParse(string name, out MemoryResource resource)
    {
        switch (name)
        {
            case "memory":
                resource = MemoryResource.Memory;
                return true;
            case "hugepages-2Mi":
                resource = MemoryResource.Hugepages2Mi;
                return true;
            case "hugepages-1Gi":
                resource = MemoryResource.Hugepages1Gi;
                return true;
            default:
                resource = default;
                return false;
        }
    }

    /// <summary>The hugepage resource of a page size in KiB, or false for sizes the policy does not track.</summary>
    public static bool TryFromPageSize(long pageSizeKiB, out MemoryResource resource)
    {
        resource = pageSizeKiB switch
        {
            PageSize2MiKiB => MemoryResource.Hugepages2Mi,
            PageSize1GiKiB => MemoryResource.Hugepages1Gi,
            _ => MemoryResource.Memory,
        };
        return resource != MemoryResource.Memory;
    }
}
