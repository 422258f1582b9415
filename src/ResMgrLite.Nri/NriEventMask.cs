namespace ResMgrLite.Nri;

/// <summary>
/// ConfigureResponse.events subscription bits: event <c>e</c> is bit <c>1 &lt;&lt; (e - 1)</c>
/// (docs/nri-rules.md §5.6). A runtime drops a plugin that sets a bit it does not know, and reads 0 as
/// "everything", so the host clamps the mask to <see cref="NriRuntimeInfo.SupportedEvents"/>.
/// </summary>
[Flags]
internal enum NriEventMask
{
    None = 0,
    RunPodSandbox = 1 << 0,
    StopPodSandbox = 1 << 1,
    RemovePodSandbox = 1 << 2,
    CreateContainer = 1 << 3,
    PostCreateContainer = 1 << 4,
    StartContainer = 1 << 5,
    PostStartContainer = 1 << 6,
    UpdateContainer = 1 << 7,
    PostUpdateContainer = 1 << 8,
    StopContainer = 1 << 9,
    RemoveContainer = 1 << 10,

    /// <summary>NRI v0.10.0+; never set this for a v0.6.1 runtime (containerd 1.7.24).</summary>
    UpdatePodSandbox = 1 << 11,

    /// <summary>NRI v0.10.0+.</summary>
    PostUpdatePodSandbox = 1 << 12,

    /// <summary>NRI v0.10.0+.</summary>
    ValidateContainerAdjustment = 1 << 13,

    /// <summary><c>ValidEvents</c> of NRI v0.6.1 … v0.8: 0x7FF.</summary>
    AllV061 = (1 << 11) - 1,

    /// <summary><c>ValidEvents</c> of NRI v0.10.0+: 0x3FFF.</summary>
    AllV010 = (1 << 14) - 1,
}
