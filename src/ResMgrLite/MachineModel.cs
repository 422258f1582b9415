using ResMgrLite.Config;
using ResMgrLite.Engine;
using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Topology;

namespace ResMgrLite;

/// <summary>Turns the discovered machine into what each layer takes: validation facts, the CPU manager's topology.</summary>
internal static class MachineModel
{
    public static MachineFacts ToFacts(MachineTopology machine)
    {
        var nodes = new List<Config.NumaNodeFacts>();
        foreach (NumaNodeInfo node in machine.NumaNodes)
        {
            var hugepages = new Dictionary<long, long>();
            foreach (HugePagePool pool in node.HugePages)
            {
                hugepages[pool.PageSizeKiB * 1024] = pool.Total;
            }
            nodes.Add(new Config.NumaNodeFacts(node.Id, node.MemoryTotalBytes, hugepages));
        }
        return new MachineFacts(machine.OnlineCpus, nodes);
    }

    public static CpuTopology ToCpuTopology(MachineTopology machine)
    {
        int[][] distances = machine.GetCpuNodeDistanceMatrix();
        return CpuTopology.Create(machine.Cpus, distances.Length > 0 ? distances : null);
    }
}
