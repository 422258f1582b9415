namespace ResMgrLite.Engine.Topology;

/// <summary>What sysfs says about one online CPU; input of <see cref="MachineTopologyBuilder"/>.</summary>
/// <param name="Cpu">Logical CPU id.</param>
/// <param name="PhysicalCoreId"><c>topology/core_id</c>.</param>
/// <param name="PackageId"><c>topology/physical_package_id</c>.</param>
/// <param name="DieId"><c>topology/die_id</c>, -1 when absent.</param>
/// <param name="ClusterId"><c>topology/cluster_id</c>, -1 when absent.</param>
internal readonly record struct CpuFacts(int Cpu, int PhysicalCoreId, int PackageId, int DieId = -1, int ClusterId = -1);
