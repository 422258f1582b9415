using System.Numerics;
using System.Text;

namespace ResMgrLite.Engine.Memory;

/// <summary>
/// The Static memory policy's per-NUMA machine state (docs/kubelet-rules.md §4.2): a
/// <see cref="MemoryTable"/> per node and resource, the number of memory blocks on each node and
/// the node group ("cells") each node belongs to, kept as a NUMA mask. Flat arrays so charging
/// and releasing allocate nothing.
/// </summary>
internal sealed class MemoryMachineState
{
    private readonly int[] _ids;
    private readonly MemoryTable[] _tables;
    private readonly int[] _assignments;
    private readonly ulong[] _cells;

    private MemoryMachineState(int[] ids)
    {
        _ids = ids;
        _tables = new MemoryTable[ids.Length * MemoryResources.Count];
        _assignments = new int[ids.Length];
        _cells = new ulong[ids.Length];
    }

    /// <summary>
    /// The initial state (§4.2): hugepage pools of 2Mi and 1Gi become tables; memory allocatable is
    /// MemTotal minus the reservation minus every hugepage pool on the node (of any size). Throws
    /// <see cref="InvalidOperationException"/> for facts <see cref="TryCreate"/> would refuse.
    /// </summary>
    public static MemoryMachineState Create(IReadOnlyList<NumaMemoryInfo> nodes, IReadOnlyList<ReservedMemoryNode> reservedMemory)
    {
        var problems = new List<string>();
        return TryCreate(nodes, reservedMemory, problems) ?? throw new InvalidOperationException(string.Join("; ", problems));
    }

    /// <summary>
    /// The initial state, or null with the reasons added to <paramref name="problems"/>: no node, a
    /// node id that cannot be a NUMA mask bit or is listed twice, a reservation the node cannot hold.
    /// </summary>
    public static MemoryMachineState? TryCreate(IReadOnlyList<NumaMemoryInfo> nodes, IReadOnlyList<ReservedMemoryNode> reservedMemory, List<string> problems)
    {
        int before = problems.Count;
        if (nodes.Count == 0)
        {
            problems.Add("the memory manager needs at least one NUMA node");
            return null;
        }
        // Ordered by id (stable: equal ids keep their order and are refused below); loops, not LINQ, for the image's size.
        var sorted = new NumaMemoryInfo[nodes.Count];
        for (int i = 0; i < sorted.Length; i++)
        {
            NumaMemoryInfo node = nodes[i];
            int at = i;
            while (at > 0 && sorted[at - 1].NodeId > node.NodeId)
            {
                sorted[at] = sorted[at - 1];
                at--;
            }
            sorted[at] = node;
        }
        int[] ids = new int[sorted.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = sorted[i].NodeId;
        }
        var state = new MemoryMachineState(ids);
        for (int i = 0; i < sorted.Length; i++)
        {
            NumaMemoryInfo node = sorted[i];
            if ((uint)node.NodeId >= 64)
            {
                problems.Add($"NUMA node id {node.NodeId} is outside 0..63 (the kubelet's bitmask limit)");
                continue;
            }
            if (i > 0 && sorted[i - 1].NodeId == node.NodeId)
            {
                problems.Add($"NUMA node {node.NodeId} is listed twice");
                continue;
            }
            MemoryAmounts reserved = default;
            foreach (ReservedMemoryNode entry in reservedMemory)
            {
                if (entry.NumaNode == node.NodeId)
                {
                    reserved = entry.Limits;
                }
            }
            Init(ref state.TableRef(i, MemoryResource.Hugepages2Mi), node.HugePageBytes(MemoryResources.PageSize2MiKiB), reserved.Hugepages2Mi, 0, node.NodeId, MemoryResource.Hugepages2Mi, problems);
            Init(ref state.TableRef(i, MemoryResource.Hugepages1Gi), node.HugePageBytes(MemoryResources.PageSize1GiKiB), reserved.Hugepages1Gi, 0, node.NodeId, MemoryResource.Hugepages1Gi, problems);
            Init(ref state.TableRef(i, MemoryResource.Memory), node.MemTotalBytes, reserved.Memory, node.AllHugePageBytes(), node.NodeId, MemoryResource.Memory, problems);
            state._cells[i] = 1UL << node.NodeId;
        }
        return problems.Count > before ? null : state;
    }

    private static void Init(ref MemoryTable table, long total, long systemReserved, long carvedOut, int nodeId, MemoryResource resource, List<string> problems)
    {
        long allocatable = total - systemReserved - carvedOut;
        if (allocatable < 0 || systemReserved < 0)
        {
            problems.Add($"NUMA node {nodeId}: reserved {systemReserved} bytes of {MemoryResources.NameOf(resource)} but the node has only {total - carvedOut}");
            return;
        }
        table = new MemoryTable { Total = total, SystemReserved = systemReserved, Allocatable = allocatable, Free = allocatable };
    }

    public int NodeCount => _ids.Length;

    /// <summary>NUMA node ids, ascending.</summary>
    public ReadOnlySpan<int> NodeIds => _ids;

    /// <summary>Mask of every node.</summary>
    public ulong AllNodesMask
    {
        get
        {
            ulong mask = 0;
            foreach (int id in _ids)
            {
                mask |= 1UL << id;
            }
            return mask;
        }
    }

    /// <summary>Index of a node id, or -1.</summary>
    public int IndexOf(int nodeId) => Array.IndexOf(_ids, nodeId);

    public MemoryTable Table(int nodeIndex, MemoryResource resource) => _tables[nodeIndex * MemoryResources.Count + (int)resource];

    internal ref MemoryTable TableRef(int nodeIndex, MemoryResource resource) => ref _tables[nodeIndex * MemoryResources.Count + (int)resource];

    /// <summary>Memory blocks on the node (§4.2: a container with memory and one hugepage size adds 2).</summary>
    public int Assignments(int nodeIndex) => _assignments[nodeIndex];

    /// <summary>The node group this node belongs to, as a NUMA mask (just the node itself when unused or single-node).</summary>
    public ulong Cells(int nodeIndex) => _cells[nodeIndex];

    /// <summary>
    /// The group rule (§4.2): a node holding a single-node allocation cannot join a multi-node one, and
    /// a node of a multi-node group can only be used again with the identical group. Also refuses a
    /// single-node use of a node that belongs to a live multi-node group (the rule's other direction).
    /// </summary>
    public bool AllowsGroup(ulong mask)
    {
        bool single = BitOperations.PopCount(mask) == 1;
        for (int i = 0; i < _ids.Length; i++)
        {
            ulong self = 1UL << _ids[i];
            if ((mask & self) == 0)
            {
                continue;
            }
            if (single)
            {
                if (BitOperations.PopCount(_cells[i]) > 1)
                {
                    return false;
                }
                continue;
            }
            if (_assignments[i] > 0 && (_cells[i] == self || _cells[i] != mask))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Sum of free and allocatable bytes of one resource over a mask.</summary>
    public void Sum(ulong mask, MemoryResource resource, out long free, out long allocatable)
    {
        free = 0;
        allocatable = 0;
        for (int i = 0; i < _ids.Length; i++)
        {
            if ((mask & (1UL << _ids[i])) != 0)
            {
                ref MemoryTable table = ref TableRef(i, resource);
                free += table.Free;
                allocatable += table.Allocatable;
            }
        }
    }

    /// <summary>
    /// <c>updateMachineState</c> (§4.5 step 8): one block on every node of the mask (assignments +1,
    /// cells = mask) and <paramref name="charge"/> bytes moved from free to reserved, lowest node first.
    /// </summary>
    internal void Charge(ulong mask, MemoryResource resource, long charge)
    {
        for (int i = 0; i < _ids.Length; i++)
        {
            if ((mask & (1UL << _ids[i])) == 0)
            {
                continue;
            }
            _assignments[i]++;
            _cells[i] = mask;
            ref MemoryTable table = ref TableRef(i, resource);
            long moved = Math.Min(table.Free, charge);
            if (moved > 0)
            {
                table.Free -= moved;
                table.Reserved += moved;
                charge -= moved;
            }
        }
    }

    /// <summary>Takes over another state's tables (restore: the state recomputed from a checkpoint's blocks).</summary>
    internal void CopyFrom(MemoryMachineState other)
    {
        if (!other._ids.AsSpan().SequenceEqual(_ids))
        {
            throw new ArgumentException("machine states of different NUMA nodes", nameof(other));
        }
        other._tables.CopyTo(_tables, 0);
        other._assignments.CopyTo(_assignments, 0);
        other._cells.CopyTo(_cells, 0);
    }

    /// <summary>Bytes reserved on all nodes for one resource (restore: checks that every block fitted).</summary>
    internal long TotalReserved(MemoryResource resource)
    {
        long total = 0;
        for (int i = 0; i < _ids.Length; i++)
        {
            total += TableRef(i, resource).Reserved;
        }
        return total;
    }

    /// <summary>Releases one block (§4.5 <c>RemoveContainer</c>): assignments −1 (cells reset at 0), reserved back to free, lowest node first.</summary>
    internal void Release(ulong mask, MemoryResource resource, long size)
    {
        for (int i = 0; i < _ids.Length; i++)
        {
            ulong self = 1UL << _ids[i];
            if ((mask & self) == 0)
            {
                continue;
            }
            if (--_assignments[i] == 0)
            {
                _cells[i] = self;
            }
            ref MemoryTable table = ref TableRef(i, resource);
            long moved = Math.Min(table.Reserved, size);
            if (moved > 0)
            {
                table.Reserved -= moved;
                table.Free += moved;
                size -= moved;
            }
        }
    }

    /// <summary>A readable dump for test failures and diagnostics.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        for (int i = 0; i < _ids.Length; i++)
        {
            text.Append("node ").Append(_ids[i]).Append(": assignments=").Append(_assignments[i])
                .Append(" cells=").Append(NumaNodeList.Format(_cells[i])).Append('\n');
            for (int r = 0; r < MemoryResources.Count; r++)
            {
                text.Append("  ").Append(MemoryResources.NameOf((MemoryResource)r)).Append(": ")
                    .Append(Table(i, (MemoryResource)r).ToString()).Append('\n');
            }
        }
        return text.ToString();
    }
}
