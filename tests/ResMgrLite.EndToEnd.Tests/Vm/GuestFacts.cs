using System.Globalization;

namespace ResMgrLite.EndToEnd.Tests.Vm;

/// <summary>
/// The "key=value" lines tests/vm/guest/facts writes at boot: NUMA nodes, CPUs and SMT
/// siblings, cgroup v2 controllers, memory.
/// </summary>
internal sealed class GuestFacts
{
    /// <summary>CGROUP2_SUPER_MAGIC, as stat -f prints it.</summary>
    public const string Cgroup2Magic = "63677270";

    private readonly IReadOnlyDictionary<string, string> _values;

    private GuestFacts(IReadOnlyDictionary<string, string> values)
    {
        _values = values;
    }

    public static GuestFacts Parse(string text) => new(
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1].Trim(), StringComparer.Ordinal));

    public string? this[string key] => _values.TryGetValue(key, out var value) ? value : null;

    public IReadOnlyList<int> NumaNodes => (this["nodes"] ?? "")
        .Split(',', StringSplitOptions.RemoveEmptyEntries)
        .Select(id => int.Parse(id, CultureInfo.InvariantCulture))
        .ToList();

    public string? NodeCpus(int node) => this[$"node{node}.cpulist"];

    public string? Siblings(int cpu) => this[$"cpu{cpu}.siblings"];

    /// <summary>MemTotal of each NUMA node (sysfs node meminfo): their sum is what the plugin takes as the node's memory capacity.</summary>
    public IReadOnlyList<long> NodeMemoryBytes =>
        NumaNodes.Select(node => long.Parse(this[$"node{node}.memtotal_kb"] ?? "0", CultureInfo.InvariantCulture) * 1024).ToList();

    public long MemoryCapacityBytes => long.Parse(this["memtotal_kb"] ?? "0", CultureInfo.InvariantCulture) * 1024;

    public IReadOnlyList<string> Controllers => Words("cgroup.controllers");

    public IReadOnlyList<string> SubtreeControl => Words("cgroup.subtree_control");

    public override string ToString() => string.Join('\n', _values.Select(pair => $"{pair.Key}={pair.Value}"));

    private string[] Words(string key) => (this[key] ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
