namespace ResMgrLite.Engine.Topology;

/// <summary>
/// The raw sysfs ids of one online CPU that the kubelet does not use but operators want to see.
/// </summary>
/// <param name="Cpu">Logical CPU id.</param>
/// <param name="PhysicalCoreId">The sysfs <c>topology/core_id</c> (repeats across sockets).</param>
/// <param name="DieId">The sysfs <c>topology/die_id</c>, or -1 when the kernel does not export it.</param>
/// <param name="ClusterId">
/// The sysfs <c>topology/cluster_id</c>, or -1 when absent. x86 kernels report 65535 when the
/// platform has no cluster level; the value is kept as read.
/// </param>
internal readonly record struct CpuHardwareIds(int Cpu, int PhysicalCoreId, int DieId, int ClusterId);
