using Microsoft.Extensions.Configuration;

namespace ResMgrLite.Config.Options;

/// <summary>docs/kubelet-rules.md §3.1, §3.10.</summary>
internal sealed class CpuManagerSection
{
    /// <summary>kubelet <c>cpuManagerPolicy</c>.</summary>
    public string Policy { get; set; } = "none";

    /// <summary>kubelet <c>reservedSystemCPUs</c> (Linux cpulist).</summary>
    public string ReservedSystemCPUs { get; set; } = "";

    /// <summary>kubelet <c>cpuManagerReconcilePeriod</c> (Go duration).</summary>
    public string ReconcilePeriod { get; set; } = "10s";

    /// <summary>kubelet <c>cpuManagerPolicyOptions</c>.</summary>
    public CpuManagerPolicyOptionsSection PolicyOptions { get; set; } = new();
}

internal sealed class CpuManagerPolicyOptionsSection
{
    [ConfigurationKeyName("full-pcpus-only")]
    public bool FullPcpusOnly { get; set; }

    [ConfigurationKeyName("distribute-cpus-across-numa")]
    public bool DistributeCpusAcrossNuma { get; set; }

    [ConfigurationKeyName("align-by-socket")]
    public bool AlignBySocket { get; set; }

    [ConfigurationKeyName("distribute-cpus-across-cores")]
    public bool DistributeCpusAcrossCores { get; set; }

    [ConfigurationKeyName("strict-cpu-reservation")]
    public bool StrictCpuReservation { get; set; }

    [ConfigurationKeyName("prefer-align-cpus-by-uncorecache")]
    public bool PreferAlignCpusByUncoreCache { get; set; }
}
