using ResMgrLite.CriTool.Sandbox;
using ResMgrLite.Engine;

namespace ResMgrLite.EndToEnd.Tests.Support;

/// <summary>CPU sets as the kernel shows them, compared as sets (not as strings).</summary>
internal static class Cpus
{
    /// <summary>The online CPUs: the cpuset of a container nobody narrowed.</summary>
    public static CpuSet AllOnline => CpuSet.Parse(File.ReadAllText("/sys/devices/system/cpu/online").Trim());

    /// <summary>What the tests configure as cpuManager.reservedSystemCPUs.</summary>
    public static CpuSet Reserved => CpuSet.Parse(PluginConfig.ReservedCpus);

    public static CpuSet Parse(string? kernelText)
    {
        Assert.False(string.IsNullOrEmpty(kernelText), "the cgroup shows no cpuset");
        return CpuSet.Parse(kernelText);
    }
}
