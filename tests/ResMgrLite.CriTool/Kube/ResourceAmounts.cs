namespace ResMgrLite.CriTool.Kube;

/// <summary>
/// CPU (millicores) and memory (bytes) of a Kubernetes resource list. Zero means "not given":
/// the QoS rules ignore quantities ≤ 0 (docs/kubelet-rules.md §8), so absent and zero agree.
/// </summary>
internal readonly record struct ResourceAmounts(long MilliCpu, long MemoryBytes)
{
    public static ResourceAmounts None => default;

    public bool HasCpu => MilliCpu > 0;

    public bool HasMemory => MemoryBytes > 0;

    public bool IsEmpty => !HasCpu && !HasMemory;

    public static ResourceAmounts operator +(ResourceAmounts left, ResourceAmounts right) =>
        new(Math.Max(0, left.MilliCpu) + Math.Max(0, right.MilliCpu),
            Math.Max(0, left.MemoryBytes) + Math.Max(0, right.MemoryBytes));

    public static ResourceAmounts Add(ResourceAmounts left, ResourceAmounts right) => left + right;

    public static long Mebibytes(long count) => count * 1024 * 1024;

    public override string ToString() =>
        IsEmpty ? "-" : $"cpu={(HasCpu ? MilliCpu + "m" : "-")} memory={(HasMemory ? MemoryBytes / (1024 * 1024) + "Mi" : "-")}";
}
