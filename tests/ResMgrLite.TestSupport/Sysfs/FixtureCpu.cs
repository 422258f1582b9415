namespace ResMgrLite.TestSupport.Sysfs;

/// <summary>Where the generator placed one logical CPU.</summary>
/// <param name="Cpu">Logical CPU id.</param>
/// <param name="Socket">physical_package_id.</param>
/// <param name="PhysicalCoreId">core_id (index of the core within its socket).</param>
/// <param name="GlobalCore">Index of the core over the whole machine (socket-major).</param>
/// <param name="Thread">Index of the thread within its core.</param>
/// <param name="NumaNode">NUMA node id.</param>
/// <param name="L3">Id of the L3 cache the core belongs to.</param>
internal readonly record struct FixtureCpu(int Cpu, int Socket, int PhysicalCoreId, int GlobalCore, int Thread, int NumaNode, int L3);
