namespace ResMgrLite.Engine.TopologyManagement;

/// <summary>
/// What the Topology Manager needs to know about the machine's NUMA nodes: which exist, and how far
/// apart they are (for <c>prefer-closest-numa-nodes</c>, docs/kubelet-rules.md §2.3). Indexed by NUMA node id.
/// </summary>
internal sealed class NumaDistances
{
    private readonly int[] _ids;
    private readonly int[][] _distances;

    /// <param name="nodeIds">NUMA node ids, ascending, each below 64.</param>
    /// <param name="distances">Rows and columns in the order of <paramref name="nodeIds"/>; empty when unknown.</param>
    public NumaDistances(ReadOnlySpan<int> nodeIds, int[][] distances)
    {
        _ids = nodeIds.ToArray();
        _distances = distances;
        foreach (int id in _ids)
        {
            AllNodesMask |= 1UL << id;
        }
    }

    /// <summary>Mask of every NUMA node.</summary>
    public ulong AllNodesMask { get; }

    public int NodeCount => _ids.Length;

    public bool IsKnown => _distances.Length > 0;

    /// <summary>Distance between two NUMA node ids; 0 when the matrix is unknown.</summary>
    public int Distance(int fromNodeId, int toNodeId) =>
        _distances.Length == 0 ? 0 : _distances[Array.IndexOf(_ids, fromNodeId)][Array.IndexOf(_ids, toNodeId)];
}
