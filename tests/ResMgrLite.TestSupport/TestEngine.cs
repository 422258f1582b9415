using ResMgrLite.Engine;
using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.MemoryQos;
using ResMgrLite.Engine.TopologyManagement;

namespace ResMgrLite.TestSupport;

/// <summary>Engines for tests whose configuration is valid by construction.</summary>
internal static class TestEngine
{
    /// <summary><see cref="ResourceEngine.Start"/>, failing the test with the problems when it does not start.</summary>
    public static ResourceEngine Create(CpuTopology topology, TopologyManagerOptions topologyManager, CpuManagerOptions? cpuManager = null, MemoryManagerOptions? memoryManager = null, MemoryQosOptions? memoryQos = null)
    {
        EngineStartResult started = ResourceEngine.Start(topology, topologyManager, cpuManager, memoryManager, memoryQos);
        return started.Engine ?? throw new InvalidOperationException("the engine did not start: " + string.Join("; ", started.Problems));
    }
}
