using ResMgrLite.Config.Settings;
using ResMgrLite.Engine;
using ResMgrLite.Engine.MemoryQos;
using ResMgrLite.Engine.Topology;

namespace ResMgrLite.Plugin;

/// <summary>
/// Starts the engine from the validated configuration and the discovered machine. The
/// configuration already holds the engine's own option records (validation builds them); this
/// adds only what comes from the machine: its CPU topology, memory per NUMA node and node
/// allocatable memory.
/// </summary>
internal static class EngineFactory
{
    /// <param name="memoryQos">Memory QoS options, or null when it is off (see <see cref="MemoryQosOptionsFor"/>).</param>
    public static EngineStartResult Start(MachineTopology machine, ResMgrSettings settings, MemoryQosOptions? memoryQos = null) =>
        ResourceEngine.Start(
            MachineModel.ToCpuTopology(machine),
            settings.TopologyManager,
            settings.CpuManagerPolicy == CpuManagerPolicy.Static ? settings.CpuManager : null,
            settings.MemoryManagerPolicy == MemoryManagerPolicy.Static ? settings.MemoryManager with { Nodes = [.. MachineModel.MemoryNodes(machine)] } : null,
            memoryQos);

    /// <summary>Memory QoS options for an enabled configuration; <paramref name="memoryCapacityBytes"/> is the machine's MemTotal.</summary>
    public static MemoryQosOptions MemoryQosOptionsFor(ResMgrSettings settings, long memoryCapacityBytes) =>
        settings.MemoryQos with { NodeAllocatableMemoryBytes = Math.Max(0, memoryCapacityBytes - settings.NodeReservedMemoryBytes) };
}
