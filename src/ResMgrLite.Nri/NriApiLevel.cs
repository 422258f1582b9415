namespace ResMgrLite.Nri;

/// <summary>The NRI protocol generation the runtime speaks, as far as it can be told (docs/nri-rules.md §5.6).</summary>
internal enum NriApiLevel
{
    /// <summary>v0.6.x or older (containerd ≤ 1.7.25, e.g. Debian's 1.7.24): ConfigureRequest has fields 1–3 only; pre-launched plugins get no Synchronize.</summary>
    V0_6 = 6,

    /// <summary>v0.7–v0.9 (containerd 1.7.26+, 2.0, 2.1; CRI-O 1.32, 1.33): timeouts in Configure, split Synchronize; event bits stop at 0x7FF.</summary>
    V0_7 = 7,

    /// <summary>v0.10–v0.11 (containerd 2.2; CRI-O 1.34, 1.35): UpdatePodSandbox, PostUpdatePodSandbox, validators; event bits up to 0x3FFF.</summary>
    V0_10 = 10,

    /// <summary>v0.12+ (containerd 2.3+): dedicated per-event RPCs; NRI_version is exchanged.</summary>
    V0_12 = 12,
}
