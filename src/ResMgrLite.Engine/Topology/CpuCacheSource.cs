namespace ResMgrLite.Engine.Topology;

/// <summary>Supplies the caches of a CPU; the builder asks only for the first thread of each core, as cAdvisor does.</summary>
internal delegate IReadOnlyList<CacheFacts> CpuCacheSource(int cpu);
