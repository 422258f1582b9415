namespace ResMgrLite.Engine.Cpu;

/// <summary>
/// Static CPU policy settings (docs/kubelet-rules.md §3.1, §3.10). Option names follow the
/// kubelet's <c>cpuManagerPolicyOptions</c>.
/// </summary>
internal sealed record CpuManagerOptions
{
    /// <summary>reservedSystemCPUs: an explicit reserved list; when empty, <see cref="ReservedCpuCount"/> CPUs are chosen.</summary>
    public CpuSet ReservedCpus { get; init; }

    /// <summary>ceil((kubeReserved.cpu + systemReserved.cpu) / 1000); used when no explicit list is given.</summary>
    public int ReservedCpuCount { get; init; } = 1;

    public bool FullPcpusOnly { get; init; }

    public bool DistributeCpusAcrossNuma { get; init; }

    public bool AlignBySocket { get; init; }

    public bool DistributeCpusAcrossCores { get; init; }

    public bool StrictCpuReservation { get; init; }

    public bool PreferAlignCpusByUncoreCache { get; init; }

    /// <summary>The PodLevelResourceManagers feature gate (KEP-5526); PodLevelResources is taken as on.</summary>
    public bool PodLevelResourceManagers { get; init; } = true;

    /// <summary>The §3.10 mutually exclusive pairs and the align-by-socket restrictions; empty when valid.</summary>
    public IEnumerable<string> Problems(CpuTopology topology, bool singleNumaNodePolicy)
    {
        if (FullPcpusOnly && DistributeCpusAcrossCores)
        {
            yield return "full-pcpus-only and distribute-cpus-across-cores cannot be used together";
        }
        if (DistributeCpusAcrossNuma && DistributeCpusAcrossCores)
        {
            yield return "distribute-cpus-across-numa and distribute-cpus-across-cores cannot be used together";
        }
        if (PreferAlignCpusByUncoreCache && DistributeCpusAcrossCores)
        {
            yield return "prefer-align-cpus-by-uncorecache and distribute-cpus-across-cores cannot be used together";
        }
        if (PreferAlignCpusByUncoreCache && DistributeCpusAcrossNuma)
        {
            yield return "prefer-align-cpus-by-uncorecache and distribute-cpus-across-numa cannot be used together";
        }
        if (AlignBySocket && singleNumaNodePolicy)
        {
            yield return "align-by-socket cannot be used with the single-numa-node topology manager policy";
        }
        if (AlignBySocket && topology.NumSockets > topology.NumNumaNodes)
        {
            yield return "align-by-socket is not valid when the machine has more sockets than NUMA nodes";
        }
        if (ReservedCpus.IsEmpty && ReservedCpuCount <= 0)
        {
            yield return "the static policy requires systemreserved.cpu + kubereserved.cpu to be greater than zero (or an explicit reserved CPU list)";
        }
        if (!ReservedCpus.IsEmpty && !ReservedCpus.IsSubsetOf(topology.AllCpus))
        {
            yield return $"reserved CPUs {ReservedCpus.Except(topology.AllCpus)} are not online CPUs of this machine ({topology.AllCpus})";
        }
    }

    internal TakeOptions TakeOptions(CpuTopology topology) => new(
        DistributeCpusAcrossCores ? CpuSortingStrategy.Spread : CpuSortingStrategy.Packed,
        DistributeCpusAcrossNuma,
        DistributeCpusAcrossNuma && FullPcpusOnly ? Math.Max(1, topology.CpusPerCore) : 1,
        PreferAlignCpusByUncoreCache);
}
