namespace ResMgrLite.Engine.Topology;

/// <summary>One <c>cpuN/cache/indexM</c> directory; input of <see cref="MachineTopologyBuilder"/>.</summary>
/// <param name="Level"><c>level</c>.</param>
/// <param name="Type"><c>type</c>.</param>
/// <param name="Id"><c>id</c>, or -1 when the kernel does not export it.</param>
/// <param name="SizeBytes"><c>size</c> (given in K) in bytes.</param>
/// <param name="SharedCpus"><c>shared_cpu_map</c>.</param>
internal readonly record struct CacheFacts(int Level, string Type, int Id, long SizeBytes, CpuSet SharedCpus);
