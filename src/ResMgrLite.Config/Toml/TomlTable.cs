using System.Diagnostics.CodeAnalysis;

namespace ResMgrLite.Config.Toml;

/// <summary>A TOML table: keys in document order, each naming a node.</summary>
internal sealed class TomlTable : TomlNode
{
    private readonly OrderedDictionary<string, TomlNode> _entries = new(StringComparer.Ordinal);

    internal TomlTable(TomlPosition position, int depth, TomlTableOrigin origin) : base(position)
    {
        Depth = depth;
        Origin = origin;
    }

    public override TomlNodeKind Kind => TomlNodeKind.Table;

    public int Count => _entries.Count;

    public IEnumerable<KeyValuePair<string, TomlNode>> Entries => _entries;

    public bool TryGetValue(string key, [NotNullWhen(true)] out TomlNode? node) => _entries.TryGetValue(key, out node);

    internal int Depth { get; }

    internal TomlTableOrigin Origin { get; set; }

    /// <summary>Set on an inline table and everything inside it once its closing brace is read.</summary>
    internal bool IsFrozen { get; private set; }

    internal void Add(string key, TomlNode node) => _entries.Add(key, node);

    internal void Freeze()
    {
        IsFrozen = true;
        foreach (var entry in _entries)
        {
            FreezeNode(entry.Value);
        }
    }

    private static void FreezeNode(TomlNode node)
    {
        if (node is TomlTable table)
        {
            table.Freeze();
        }
        else if (node is TomlArray array)
        {
            foreach (var item in array.Items)
            {
                FreezeNode(item);
            }
        }
    }
}
