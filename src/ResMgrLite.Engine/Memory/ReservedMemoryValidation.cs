using System.Globalization;

namespace ResMgrLite.Engine.Memory;

/// <summary>
/// The kubelet's reserved-memory validation (spec/resource-managers.md §4.1, §11 rule 7) as a pure
/// function: the configuration layer calls it and reports every problem with its own file/line
/// context. The engine's <see cref="MemoryMachineState"/> assumes a configuration that passed it.
/// </summary>
public static class ReservedMemoryValidation
{
    /// <summary>
    /// The node-allocatable reservation per resource (§4.1 step 2): <c>kubeReserved + systemReserved</c>,
    /// plus the hard-eviction threshold <c>memory.available</c> (kubelet default 100Mi) for memory only.
    /// </summary>
    public static MemoryAmounts NodeAllocatableReservation(in MemoryAmounts kubeReserved, in MemoryAmounts systemReserved, long evictionHardMemoryAvailableBytes)
    {
        MemoryAmounts sum = kubeReserved.Plus(systemReserved);
        sum.Memory += evictionHardMemoryAvailableBytes;
        return sum;
    }

    /// <summary>
    /// Every problem with <paramref name="reservedMemory"/> on this machine; empty when valid.
    /// <paramref name="staticPolicy"/> adds the Static policy's "memory must be reserved" rule (§4.1 step 4).
    /// </summary>
    public static IReadOnlyList<string> Problems(
        IReadOnlyList<NumaMemoryInfo> nodes,
        IReadOnlyList<ReservedMemoryNode> reservedMemory,
        in MemoryAmounts nodeAllocatableReservation,
        bool staticPolicy)
    {
        var problems = new List<string>();
        MemoryAmounts total = default;
        var seen = new HashSet<int>();
        foreach (ReservedMemoryNode entry in reservedMemory)
        {
            NumaMemoryInfo? node = null;
            foreach (NumaMemoryInfo candidate in nodes)
            {
                if (candidate.NodeId == entry.NumaNode)
                {
                    node = candidate;
                }
            }
            if (node is null)
            {
                problems.Add($"the reserved memory configuration references a NUMA node {entry.NumaNode} that does not exist on this machine");
                continue;
            }
            if (!seen.Add(entry.NumaNode))
            {
                // Our own rule: the kubelet keeps only one entry per node, so a second one is a typo.
                problems.Add($"the reserved memory configuration lists NUMA node {entry.NumaNode} more than once");
            }
            for (int r = 0; r < MemoryResources.Count; r++)
            {
                var resource = (MemoryResource)r;
                long value = entry.Limits[resource];
                if (value < 0)
                {
                    problems.Add($"the reserved memory of type \"{MemoryResources.NameOf(resource)}\" on NUMA node {entry.NumaNode} is negative ({value})");
                    continue;
                }
                total[resource] += value;
                // Our own rule: reserving more than the node has would make allocatable negative (§4.2).
                long available = resource switch
                {
                    MemoryResource.Memory => node.MemTotalBytes - node.AllHugePageBytes(),
                    MemoryResource.Hugepages2Mi => node.HugePageBytes(MemoryResources.PageSize2MiKiB),
                    _ => node.HugePageBytes(MemoryResources.PageSize1GiKiB),
                };
                if (value > available)
                {
                    problems.Add($"the reserved memory \"{FormatQuantity(value)}\" of type \"{MemoryResources.NameOf(resource)}\" on NUMA node {entry.NumaNode} exceeds what the node has ({FormatQuantity(available)})");
                }
            }
        }

        for (int r = 0; r < MemoryResources.Count; r++)
        {
            var resource = (MemoryResource)r;
            if (total[resource] != nodeAllocatableReservation[resource])
            {
                problems.Add($"the total amount \"{FormatQuantity(total[resource])}\" of type \"{MemoryResources.NameOf(resource)}\" is not equal to the value \"{FormatQuantity(nodeAllocatableReservation[resource])}\" determined by Node Allocatable feature");
            }
        }
        if (staticPolicy && total.Memory <= 0)
        {
            problems.Add("you should specify the system reserved memory");
        }
        return problems;
    }

    /// <summary>Bytes as a Kubernetes binary-SI quantity when exact ("16484Mi"), else plain bytes.</summary>
    public static string FormatQuantity(long bytes)
    {
        if (bytes != 0)
        {
            ReadOnlySpan<string> suffixes = ["Ei", "Pi", "Ti", "Gi", "Mi", "Ki"];
            for (int i = 0; i < suffixes.Length; i++)
            {
                long unit = 1L << (10 * (6 - i));
                if (bytes % unit == 0)
                {
                    return (bytes / unit).ToString(CultureInfo.InvariantCulture) + suffixes[i];
                }
            }
        }
        return bytes.ToString(CultureInfo.InvariantCulture);
    }
}
