using Microsoft.Extensions.Configuration;

namespace ResMgrLite.Config.Options;

/// <summary>docs/kubelet-rules.md §2.2, §2.4, §2.5.</summary>
internal sealed class TopologyManagerSection
{
    /// <summary>kubelet <c>topologyManagerPolicy</c>.</summary>
    public string Policy { get; set; } = "none";

    /// <summary>kubelet <c>topologyManagerScope</c>.</summary>
    public string Scope { get; set; } = "container";

    /// <summary>kubelet <c>topologyManagerPolicyOptions</c>.</summary>
    public TopologyManagerPolicyOptionsSection PolicyOptions { get; set; } = new();
}

internal sealed class TopologyManagerPolicyOptionsSection
{
    [ConfigurationKeyName("prefer-closest-numa-nodes")]
    public bool PreferClosestNumaNodes { get; set; }

    [ConfigurationKeyName("max-allowable-numa-nodes")]
    public int MaxAllowableNumaNodes { get; set; } = 8;
}
