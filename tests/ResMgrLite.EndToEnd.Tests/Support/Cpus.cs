using System.Globalization;
using ResMgrLite.CriTool.Kube;

namespace ResMgrLite.EndToEnd.Tests.Support;

internal static class Cpus
{
    /// <summary>The highest online CPU as a cpulist: a cpuset that differs from the default (all CPUs) on any machine with 2+ CPUs.</summary>
    public static string LastCpu => (HostFacts.OnlineCpuCount() - 1).ToString(CultureInfo.InvariantCulture);

    /// <summary>The online CPUs as the kernel prints them (the cpuset a container gets when nobody narrows it).</summary>
    public static string AllOnline => File.ReadAllText("/sys/devices/system/cpu/online").Trim();
}
