using System.Numerics;

namespace ResMgrLite.Engine.TopologyManagement;

/// <summary>
/// A NUMA affinity hint (docs/kubelet-rules.md §2.1). Bit i of <see cref="Mask"/> is NUMA node
/// id i; a mask of 0 stands for the kubelet's nil affinity ("any node").
/// </summary>
internal readonly record struct TopologyHint(ulong Mask, bool Preferred)
{
    public bool HasAffinity => Mask != 0;

    public int NodeCount => BitOperations.PopCount(Mask);

    /// <summary>Binary with node 0 rightmost, as the kubelet prints masks (<c>01</c> = node 0); "any" for nil.</summary>
    public override string ToString() =>
        (Mask == 0 ? "any" : NumaMask.Format(Mask)) + (Preferred ? " (preferred)" : " (not preferred)");
}
