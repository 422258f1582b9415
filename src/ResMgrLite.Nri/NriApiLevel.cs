namespace ResMgrLite.Nri;

/// <summary>The NRI protocol generation the runtime speaks, as far as it can be told (spec §5.6).</summary>
public enum NriApiLevel
{
    /// <summary>v0.6.x or older (containerd ≤ 1.7.25, e.g. Debian's 1.7.24): ConfigureRequest has fields 1–3 only.</summary>
    V0_6 = 6,

    /// <summary>v0.7–v0.9: ConfigureRequest carries the timeouts; event bits stop at 0x7FF.</summary>
    V0_7 = 7,

    /// <summary>v0.10–v0.11: UpdatePodSandbox, validators; event bits up to 0x3FFF.</summary>
    V0_10 = 10,

    /// <summary>v0.12+: dedicated per-event RPCs; NRI_version is exchanged.</summary>
    V0_12 = 12,
}
