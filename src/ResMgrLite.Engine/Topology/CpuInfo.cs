namespace ResMgrLite.Engine.Topology;

/// <summary>
/// One online logical CPU as the kubelet's CPU manager sees it (docs/kubelet-rules.md §1.2).
/// </summary>
/// <param name="Cpu">Logical CPU id.</param>
/// <param name="CoreId">
/// Kubelet core id: the smallest logical CPU id among the core's threads. Not the sysfs
/// <c>core_id</c>, which repeats per socket (that one is <see cref="CpuHardwareIds.PhysicalCoreId"/>).
/// </param>
/// <param name="SocketId">The sysfs <c>physical_package_id</c>.</param>
/// <param name="NumaNodeId">NUMA node id; the package id on kernels without NUMA directories.</param>
/// <param name="UncoreCacheId">
/// Id of the core's first uncore (L3, not node-wide) cache, or the socket id when there is none.
/// </param>
internal readonly record struct CpuInfo(int Cpu, int CoreId, int SocketId, int NumaNodeId, int UncoreCacheId);
