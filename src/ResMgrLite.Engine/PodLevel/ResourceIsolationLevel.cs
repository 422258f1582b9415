namespace ResMgrLite.Engine.PodLevel;

/// <summary>
/// KEP-5526 <c>ResourceIsolationLevel</c> (docs/kubelet-rules.md §5.7): how much of the machine a
/// container's resources are isolated at, which decides who keeps a CFS quota.
/// </summary>
internal enum ResourceIsolationLevel
{
    /// <summary>No assignment of its own: runs on the node shared pool with its normal quota.</summary>
    Host,

    /// <summary>A member of a pod-level budget's shared or init pool: keeps its own quota.</summary>
    Pod,

    /// <summary>Exclusive resources of its own: the CFS quota goes (see <see cref="CpuQuotaRule"/>).</summary>
    Container,
}
