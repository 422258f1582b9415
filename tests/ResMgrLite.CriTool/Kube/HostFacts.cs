using System.Globalization;

namespace ResMgrLite.CriTool.Kube;

/// <summary>Node facts the kubelet formulas need.</summary>
internal static class HostFacts
{
    /// <summary>MemTotal from /proc/meminfo: the kubelet's memory capacity for the OOM score formula.</summary>
    public static long MemoryCapacityBytes(string procRoot = "/proc")
    {
        foreach (var line in File.ReadLines(Path.Combine(procRoot, "meminfo")))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidDataException($"{procRoot}/meminfo has no MemTotal line");
    }

    /// <summary>Online CPU count from /sys/devices/system/cpu/online (a cpulist such as "0-1").</summary>
    public static int OnlineCpuCount(string sysRoot = "/sys")
    {
        var text = File.ReadAllText(Path.Combine(sysRoot, "devices/system/cpu/online")).Trim();
        var count = 0;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            count += dash < 0
                ? 1
                : int.Parse(part.AsSpan(dash + 1), CultureInfo.InvariantCulture) - int.Parse(part.AsSpan(0, dash), CultureInfo.InvariantCulture) + 1;
        }

        return count;
    }
}
