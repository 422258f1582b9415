namespace ResMgrLite.EndToEnd.Tests.Vm;

/// <summary>
/// cgroup v2 files of several cgroups read at one moment in the guest by
/// tests/vm/guest/cgroup-dump ("cgroup|file|value" lines). Values are the files' text with
/// lines joined by spaces; null when the file or the cgroup does not exist.
/// </summary>
internal sealed class CgroupSnapshot
{
    private readonly Dictionary<(string Cgroup, string File), string> _values = [];

    public static CgroupSnapshot Parse(string text)
    {
        var snapshot = new CgroupSnapshot();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split('|', 3);
            if (parts.Length == 3)
            {
                snapshot._values[(parts[0], parts[1])] = parts[2].Trim();
            }
        }

        return snapshot;
    }

    public bool Exists(string cgroup) => Read(cgroup, "exists") == "1";

    public string? Read(string cgroup, string file) => _values.TryGetValue((cgroup, file), out var value) ? value : null;

    public string Describe(string cgroup) => string.Join(
        '\n', _values.Where(pair => pair.Key.Cgroup == cgroup).Select(pair => $"  {pair.Key.File} = {pair.Value}"));
}
