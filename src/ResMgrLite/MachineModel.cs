using ResMgrLite.Config;
using ResMgrLite.Engine;
using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Topology;

namespace ResMgrLite;

/// <summary>Turns the discovered machine into what each layer takes: validation facts, the CPU manager's topology.</summary>
internal static class MachineModel
{
    public static MachineFacts ToFacts(MachineTopology machine) => new(machine.OnlineCpus, MemoryNodes(machine));

    /// <summary>Per NUMA node: MemTotal and the hugepage pools, for the Memory Manager (docs/kubelet-rules.md §4.2).</summary>
    public static List<Engine.Memory.NumaMemoryInfo> MemoryNodes(MachineTopology machine)
    {
        var nodes = new List<Engine.Memory.NumaMemoryInfo>();
        foreach (NumaNodeInfo node in machine.NumaNodes)
        {
            var pages = new List<Engine.Memory.HugePageInfo>();
            foreach (HugePagePool pool in node.HugePages)
            {
                pages.Add(new Engine.Memory.HugePageInfo(pool.PageSizeKiB, pool.Total));
            }
            nodes.Add(new Engine.Memory.NumaMemoryInfo(node.Id, node.MemoryTotalBytes, pages));
        }
        return nodes;
    }

    public static CpuTopology ToCpuTopology(MachineTopology machine)
    {
        int[][] distances = machine.GetCpuNodeDistanceMatrix();
        return CpuTopology.Create(machine.Cpus, distances.Length > 0 ? distances : null);
    }
}
