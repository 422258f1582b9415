using System.Globalization;
using System.Numerics;
using System.Text;

namespace ResMgrLite.Engine.Memory;

/// <summary>
/// NUMA masks as Linux node lists, the format of <c>cpuset.mems</c> ("0-1,3"): what the adjustment
/// builder writes for a container's memory nodes (docs/kubelet-rules.md §4.5 "container cgroup effect").
/// </summary>
internal static class NumaNodeList
{
    /// <summary>"0-1,3" for mask 0b1011; empty for 0 (no restriction).</summary>
    public static string Format(ulong mask)
    {
        var text = new StringBuilder();
        int node = 0;
        while (mask >> node != 0)
        {
            if ((mask & (1UL << node)) == 0)
            {
                node++;
                continue;
            }
            int first = node;
            while (node < 63 && (mask & (1UL << (node + 1))) != 0)
            {
                node++;
            }
            if (text.Length > 0)
            {
                text.Append(',');
            }
            text.Append(first.ToString(CultureInfo.InvariantCulture));
            if (node > first)
            {
                text.Append('-').Append(node.ToString(CultureInfo.InvariantCulture));
            }
            node++;
            if (node >= 64)
            {
                break;
            }
        }
        return text.ToString();
    }

    /// <summary>Node ids of a mask, ascending.</summary>
    public static int[] Ids(ulong mask)
    {
        var ids = new int[BitOperations.PopCount(mask)];
        int k = 0;
        for (int i = 0; i < 64 && k < ids.Length; i++)
        {
            if ((mask & (1UL << i)) != 0)
            {
                ids[k++] = i;
            }
        }
        return ids;
    }
}
