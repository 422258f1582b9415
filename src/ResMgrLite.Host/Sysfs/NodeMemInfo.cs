using System.Globalization;

namespace ResMgrLite.Host.Sysfs;

/// <summary>The two fields of <c>nodeN/meminfo</c> the managers need.</summary>
/// <param name="TotalBytes"><c>MemTotal</c> in bytes.</param>
/// <param name="FreeBytes"><c>MemFree</c> in bytes (0 if the line is absent).</param>
internal readonly record struct NodeMemInfo(long TotalBytes, long FreeBytes)
{
    /// <summary>
    /// Parses lines like <c>Node 0 MemTotal:        5204172 kB</c>. <c>MemTotal</c> is required,
    /// as in cAdvisor's <c>MemTotal:\s*([0-9]+) kB</c> match (docs/kubelet-rules.md §1.1 step 5).
    /// </summary>
    public static NodeMemInfo Parse(string path, string text)
    {
        long? total = null;
        long free = 0;
        foreach (string line in text.Split('\n'))
        {
            if (TryField(line, "MemTotal:", out long kib))
            {
                total = kib;
            }
            else if (TryField(line, "MemFree:", out kib))
            {
                free = kib;
            }
        }
        if (total is null)
        {
            SysfsFile.Throw(path, "has no \"MemTotal: <n> kB\" line");
        }
        return new NodeMemInfo(total.Value * 1024, free * 1024);
    }

    private static bool TryField(string line, string key, out long kib)
    {
        kib = 0;
        int at = line.IndexOf(key, StringComparison.Ordinal);
        if (at < 0)
        {
            return false;
        }
        ReadOnlySpan<char> rest = line.AsSpan(at + key.Length).Trim();
        if (!rest.EndsWith(" kB", StringComparison.Ordinal))
        {
            return false;
        }
        return long.TryParse(rest[..^3].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out kib);
    }
}
