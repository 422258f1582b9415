using System.Globalization;

namespace ResMgrLite.EndToEnd.Tests.Vm;

/// <summary>
/// How runc 1.1 writes CRI's cgroup v1-style numbers into cgroup v2 files (libcontainer's
/// conversions), so the scenario can state what the kernel must show for a CRI request.
/// </summary>
internal static class RuncCgroupV2
{
    /// <summary>cpu.shares [2, 262144] mapped linearly onto cpu.weight [1, 10000].</summary>
    public static string CpuWeight(long shares) =>
        (shares == 0 ? 0 : 1 + ((shares - 2) * 9999 / 262142)).ToString(CultureInfo.InvariantCulture);

    /// <summary>"$QUOTA $PERIOD", with "max" when there is no quota.</summary>
    public static string CpuMax(long quota, long period) =>
        quota > 0
            ? $"{quota.ToString(CultureInfo.InvariantCulture)} {period.ToString(CultureInfo.InvariantCulture)}"
            : $"max {period.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>memory.max for a CRI memory limit (0 = none).</summary>
    public static string MemoryMax(long limitBytes) =>
        limitBytes > 0 ? limitBytes.ToString(CultureInfo.InvariantCulture) : "max";
}
