using ResMgrLite.Config.Settings;
using ResMgrLite.Engine;
using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.MemoryQos;
using ResMgrLite.Engine.Topology;
using ResMgrLite.Engine.TopologyManagement;
using EngineReservationPolicy = ResMgrLite.Engine.MemoryQos.MemoryReservationPolicy;
using EngineReservedMemoryNode = ResMgrLite.Engine.Memory.ReservedMemoryNode;

namespace ResMgrLite.Plugin;

/// <summary>
/// The validated configuration and the discovered machine → the engine's options, and the engine
/// started from them. The only place that maps the configuration's vocabulary onto the engine's.
/// </summary>
internal static class EngineFactory
{
    /// <param name="memoryQos">Memory QoS options, or null when it is off (see <see cref="MemoryQosOptionsFor"/>).</param>
    public static EngineStartResult Start(MachineTopology machine, ResMgrSettings settings, MemoryQosOptions? memoryQos = null)
    {
        var tm = new TopologyManagerOptions
        {
            Policy = settings.TopologyManagerPolicy switch
            {
                Config.Settings.TopologyManagerPolicy.BestEffort => TopologyPolicy.BestEffort,
                Config.Settings.TopologyManagerPolicy.Restricted => TopologyPolicy.Restricted,
                Config.Settings.TopologyManagerPolicy.SingleNumaNode => TopologyPolicy.SingleNumaNode,
                _ => TopologyPolicy.None,
            },
            Scope = settings.TopologyManagerScope == TopologyManagerScope.Pod ? TopologyScope.Pod : TopologyScope.Container,
            PreferClosestNumaNodes = settings.PreferClosestNumaNodes,
            MaxAllowableNumaNodes = settings.MaxAllowableNumaNodes,
        };
        bool podLevel = settings.PodLevelResources && settings.PodLevelResourceManagers;
        CpuManagerOptions? cpu = null;
        if (settings.CpuManagerPolicy == CpuManagerPolicy.Static)
        {
            CpuManagerPolicyOptionFlags flags = settings.CpuManagerPolicyOptions;
            cpu = new CpuManagerOptions
            {
                ReservedCpus = settings.ReservedSystemCpus,
                ReservedCpuCount = settings.ReservedCpuCount,
                FullPcpusOnly = flags.HasFlag(CpuManagerPolicyOptionFlags.FullPcpusOnly),
                DistributeCpusAcrossNuma = flags.HasFlag(CpuManagerPolicyOptionFlags.DistributeCpusAcrossNuma),
                AlignBySocket = flags.HasFlag(CpuManagerPolicyOptionFlags.AlignBySocket),
                DistributeCpusAcrossCores = flags.HasFlag(CpuManagerPolicyOptionFlags.DistributeCpusAcrossCores),
                StrictCpuReservation = flags.HasFlag(CpuManagerPolicyOptionFlags.StrictCpuReservation),
                PreferAlignCpusByUncoreCache = flags.HasFlag(CpuManagerPolicyOptionFlags.PreferAlignCpusByUncoreCache),
                PodLevelResourceManagers = podLevel,
            };
        }
        MemoryManagerOptions? memory = null;
        if (settings.MemoryManagerPolicy == MemoryManagerPolicy.Static)
        {
            memory = new MemoryManagerOptions
            {
                Nodes = [.. MachineModel.MemoryNodes(machine)],
                ReservedMemory = [.. settings.ReservedMemory.Select(r => new EngineReservedMemoryNode(r.NumaNode, new MemoryAmounts(
                    r.LimitsBytes.GetValueOrDefault("memory"),
                    r.LimitsBytes.GetValueOrDefault("hugepages-2Mi"),
                    r.LimitsBytes.GetValueOrDefault("hugepages-1Gi"))))],
                PodLevelResourceManagers = podLevel,
            };
        }
        return ResourceEngine.Start(MachineModel.ToCpuTopology(machine), tm, cpu, memory, memoryQos);
    }

    /// <summary>Memory QoS options for an enabled configuration; <paramref name="memoryCapacityBytes"/> is the machine's MemTotal.</summary>
    public static MemoryQosOptions MemoryQosOptionsFor(ResMgrSettings settings, long memoryCapacityBytes) => new()
    {
        ReservationPolicy = settings.MemoryReservationPolicy == Config.Settings.MemoryReservationPolicy.TieredReservation
            ? EngineReservationPolicy.TieredReservation
            : EngineReservationPolicy.None,
        ThrottlingFactor = settings.MemoryThrottlingFactor,
        NodeAllocatableMemoryBytes = Math.Max(0, memoryCapacityBytes - settings.NodeReservedMemoryBytes),
    };
}
