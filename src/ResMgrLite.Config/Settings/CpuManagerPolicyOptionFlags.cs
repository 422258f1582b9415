namespace ResMgrLite.Config.Settings;

/// <summary>The static policy's options (spec/resource-managers.md §3.10).</summary>
[Flags]
public enum CpuManagerPolicyOptionFlags
{
    None = 0,
    FullPcpusOnly = 1,
    DistributeCpusAcrossNuma = 2,
    AlignBySocket = 4,
    DistributeCpusAcrossCores = 8,
    StrictCpuReservation = 16,
    PreferAlignCpusByUncoreCache = 32,
}
