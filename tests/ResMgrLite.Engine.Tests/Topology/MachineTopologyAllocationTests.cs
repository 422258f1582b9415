using ResMgrLite.Engine;
using ResMgrLite.Engine.Topology;
using ResMgrLite.TestSupport.Sysfs;

namespace ResMgrLite.Engine.Tests.Topology;

public class MachineTopologyAllocationTests
{
    [Fact]
    public void Lookups_do_not_allocate()
    {
        MachineTopology topology = SysfsFixtures.DualSocketSnc2().ToTopology();
        long sum = Lookups(topology);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int round = 0; round < 100; round++)
        {
            sum += Lookups(topology);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.NotEqual(0, sum);
    }

    private static long Lookups(MachineTopology topology)
    {
        long sum = 0;
        foreach (CpuInfo cpu in topology.Cpus)
        {
            sum += topology.GetCpu(cpu.Cpu).CoreId;
            sum += topology.TryGetCpu(cpu.Cpu, out CpuInfo info) ? info.SocketId : 0;
            sum += topology.GetCoreOf(cpu.Cpu).Threads.Count;
            sum += topology.GetThreadSiblings(cpu.Cpu).Min();
            sum += topology.GetNumaNode(cpu.NumaNodeId).Cpus.Count;
            sum += topology.GetSocket(cpu.SocketId).NumaNodeIds.Length;
            sum += topology.GetUncoreCache(cpu.UncoreCacheId).Cpus.Max();
            sum += topology.GetDistance(cpu.NumaNodeId, 0);
            sum += topology.GetHardwareIds(cpu.Cpu).PhysicalCoreId;
        }
        return sum;
    }
}
