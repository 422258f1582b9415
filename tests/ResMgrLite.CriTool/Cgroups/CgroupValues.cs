namespace ResMgrLite.CriTool.Cgroups;

/// <summary>
/// What the kernel shows for one container cgroup. Values are the files' text (trimmed), with
/// "max" for "no limit"; null when the file does not exist on this hierarchy (e.g. memory.min on v1).
/// </summary>
internal sealed record CgroupValues(
    string? Cpus,
    string? Mems,
    string? MemoryLimit,
    string? MemoryMin,
    string? MemoryHigh,
    string? CpuWeight,
    string? CpuQuota);
