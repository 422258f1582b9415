namespace ResMgrLite.Engine.TopologyManagement;

/// <summary>Topology Manager policies (docs/kubelet-rules.md §2.2); names as the kubelet's.</summary>
internal enum TopologyPolicy
{
    None,
    BestEffort,
    Restricted,
    SingleNumaNode,
}

/// <summary>Topology Manager scopes (§2.5).</summary>
internal enum TopologyScope
{
    Container,
    Pod,
}

/// <summary>Topology Manager settings: policy, scope and policy options (§2.4).</summary>
internal sealed record TopologyManagerOptions
{
    public TopologyPolicy Policy { get; init; } = TopologyPolicy.None;

    public TopologyScope Scope { get; init; } = TopologyScope.Container;

    /// <summary>prefer-closest-numa-nodes: compare equally wide masks by average distance (ignored by single-numa-node).</summary>
    public bool PreferClosestNumaNodes { get; init; }

    /// <summary>max-allowable-numa-nodes: default 8; values below 8 are invalid.</summary>
    public int MaxAllowableNumaNodes { get; init; } = 8;

    public static string PolicyName(TopologyPolicy policy) => policy switch
    {
        TopologyPolicy.None => "none",
        TopologyPolicy.BestEffort => "best-effort",
        TopologyPolicy.Restricted => "restricted",
        TopologyPolicy.SingleNumaNode => "single-numa-node",
        _ => policy.ToString(),
    };
}
