namespace ResMgrLite.EndToEnd.Tests.Support;

/// <summary>After a sandbox is disposed nothing of it may remain: processes, mounts, files, pod cgroups.</summary>
internal static class LeftoverCheck
{
    public static void AssertNothingLeftBehind(string sandboxDirectory, IEnumerable<string> podCgroups)
    {
        Assert.False(Directory.Exists(sandboxDirectory), $"{sandboxDirectory} still exists");
        var mounts = File.ReadAllLines("/proc/self/mounts")
            .Select(line => line.Split(' ')[1])
            .Where(target => target.StartsWith(sandboxDirectory + "/", StringComparison.Ordinal))
            .ToList();
        Assert.Empty(mounts);
        var processes = Directory.EnumerateDirectories("/proc")
            .Where(entry => int.TryParse(Path.GetFileName(entry), out _))
            .Select(entry => TryReadCmdline(entry))
            .Where(cmdline => cmdline.Contains(sandboxDirectory, StringComparison.Ordinal))
            .ToList();
        Assert.Empty(processes);
        foreach (var podCgroup in podCgroups)
        {
            foreach (var controller in new[] { "cpuset", "cpu", "memory" })
            {
                var path = Path.Combine("/sys/fs/cgroup", controller, podCgroup.TrimStart('/'));
                Assert.False(Directory.Exists(path), $"pod cgroup {path} was left behind");
            }
        }
    }

    private static string TryReadCmdline(string procEntry)
    {
        try
        {
            return File.ReadAllText(Path.Combine(procEntry, "cmdline")).Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }
}
