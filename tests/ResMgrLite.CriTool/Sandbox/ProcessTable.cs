using System.Globalization;
using System.Text;

namespace ResMgrLite.CriTool.Sandbox;

/// <summary>Looks processes up in /proc (pre-launched plugins are containerd's children, not ours).</summary>
internal static class ProcessTable
{
    public static bool IsAlive(int pid)
    {
        // A zombie still has a /proc entry; only a running process counts.
        var statusPath = $"/proc/{pid}/status";
        try
        {
            foreach (var line in File.ReadLines(statusPath))
            {
                if (line.StartsWith("State:", StringComparison.Ordinal))
                {
                    return !line.Contains("zombie", StringComparison.Ordinal);
                }
            }
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }

        return false;
    }

    public static IReadOnlyList<int> FindByArgv0(string argv0)
    {
        var found = new List<int>();
        foreach (var entry in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllBytes(Path.Combine(entry, "cmdline"));
                var end = Array.IndexOf(cmdline, (byte)0);
                var first = Encoding.UTF8.GetString(cmdline, 0, end < 0 ? cmdline.Length : end);
                if (first == argv0 && IsAlive(pid))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }
}
