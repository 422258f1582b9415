namespace ResMgrLite.Engine.Model;

/// <summary>
/// One container's resource requests and limits as the managers need them. CPU in millicores,
/// memory in bytes; 0 means "not set". Hugepages per page size in bytes.
/// </summary>
internal readonly record struct ContainerResources(
    long CpuRequestMilli,
    long CpuLimitMilli,
    long MemoryRequestBytes,
    long MemoryLimitBytes,
    long Hugepages2MiBytes = 0,
    long Hugepages1GiBytes = 0)
{
    /// <summary>A non-zero CPU request equal to the limit and a non-zero memory request equal to the limit (docs/kubelet-rules.md §3.2 step 2).</summary>
    public bool IsGuaranteedShaped =>
        CpuRequestMilli > 0 && CpuRequestMilli == CpuLimitMilli &&
        MemoryRequestBytes > 0 && MemoryRequestBytes == MemoryLimitBytes;

    /// <summary>The CPU request is a whole number of CPUs (§3.2 step 3).</summary>
    public bool HasIntegralCpuRequest => CpuRequestMilli > 0 && CpuRequestMilli % 1000 == 0;

    public bool HasAny => CpuRequestMilli > 0 || CpuLimitMilli > 0 || MemoryRequestBytes > 0 || MemoryLimitBytes > 0;
}
