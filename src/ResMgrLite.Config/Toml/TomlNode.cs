namespace ResMgrLite.Config.Toml;

/// <summary>
/// A node of a parsed TOML document. Every node remembers where its value starts and where the
/// key that named it stands, so configuration errors can point at file:line:column.
/// </summary>
internal abstract class TomlNode
{
    private protected TomlNode(TomlPosition position) => Position = position;

    public abstract TomlNodeKind Kind { get; }

    /// <summary>Where the value (or, for tables made by a header, the header) starts.</summary>
    public TomlPosition Position { get; internal set; }

    /// <summary>Where the key naming this node in its parent table stands; equals
    /// <see cref="Position"/> for array elements and the root.</summary>
    public TomlPosition KeyPosition { get; internal set; }
}
