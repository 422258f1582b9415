namespace ResMgrLite.Config.Toml;

/// <summary>
/// A TOML array. Arrays written as values (<c>[1, 2]</c>) are closed; arrays built by
/// <c>[[header]]</c> sections grow with each header and never accept a literal.
/// </summary>
internal sealed class TomlArray : TomlNode
{
    private readonly List<TomlNode> _items = [];

    internal TomlArray(TomlPosition position, int depth, bool isArrayOfTables) : base(position)
    {
        Depth = depth;
        IsArrayOfTables = isArrayOfTables;
    }

    public override TomlNodeKind Kind => TomlNodeKind.Array;

    public IReadOnlyList<TomlNode> Items => _items;

    public int Count => _items.Count;

    public TomlNode this[int index] => _items[index];

    /// <summary>True when built by <c>[[name]]</c> headers (TOML 1.0 "Array of Tables").</summary>
    public bool IsArrayOfTables { get; }

    internal int Depth { get; }

    internal void Add(TomlNode item) => _items.Add(item);
}
