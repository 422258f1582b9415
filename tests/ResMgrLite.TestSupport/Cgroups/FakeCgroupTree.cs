namespace ResMgrLite.TestSupport.Cgroups;

/// <summary>
/// A fake cgroup v2 tree: a temporary directory with cgroup directories and their knob files,
/// holding the values a fresh kernel cgroup starts with. Deleted on dispose.
/// </summary>
internal sealed class FakeCgroupTree : IDisposable
{
    /// <summary>The memory knobs of a new cgroup and their kernel defaults.</summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string>> MemoryDefaults =
    [
        new("memory.min", "0"),
        new("memory.low", "0"),
        new("memory.high", "max"),
        new("memory.max", "max"),
    ];

    public FakeCgroupTree()
    {
        Root = Path.Combine(Path.GetTempPath(), "fake-cgroupfs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>Creates a cgroup (and its parents) with the memory knobs at their defaults.</summary>
    public string AddCgroup(string cgroup)
    {
        string directory = Path.Combine(Root, cgroup);
        Directory.CreateDirectory(directory);
        foreach (var (file, value) in MemoryDefaults)
        {
            File.WriteAllText(Path.Combine(directory, file), value + "\n");
        }
        return directory;
    }

    public string Read(string cgroup, string file) => File.ReadAllText(Path.Combine(Root, cgroup, file)).TrimEnd('\n');

    public void Set(string cgroup, string file, string value) => File.WriteAllText(Path.Combine(Root, cgroup, file), value + "\n");

    /// <summary>Removes a cgroup like the runtime does when its pod goes away.</summary>
    public void RemoveCgroup(string cgroup) => Directory.Delete(Path.Combine(Root, cgroup), recursive: true);

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
