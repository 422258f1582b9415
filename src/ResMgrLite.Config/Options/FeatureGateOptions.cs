namespace ResMgrLite.Config.Options;

/// <summary>kubelet <c>featureGates</c> that change manager behaviour (docs/kubelet-rules.md §3.10, §5.1), with v1.36 defaults.</summary>
internal sealed class FeatureGateOptions
{
    public bool PodLevelResources { get; set; } = true;

    public bool PodLevelResourceManagers { get; set; }

    public bool CPUManagerPolicyBetaOptions { get; set; } = true;

    public bool CPUManagerPolicyAlphaOptions { get; set; }
}
