namespace ResMgrLite.Engine.Memory;

/// <summary>
/// One resource on one NUMA node (docs/kubelet-rules.md §4.2), in bytes.
/// Invariant: <c>Allocatable = Reserved + Free</c>.
/// </summary>
internal struct MemoryTable
{
    public long Total;
    public long SystemReserved;
    public long Allocatable;
    public long Reserved;
    public long Free;

    public readonly override string ToString() =>
        $"total={Total} systemReserved={SystemReserved} allocatable={Allocatable} reserved={Reserved} free={Free}";
}
