namespace ResMgrLite.Config.Toml;

/// <summary>A 1-based line and column (columns count Unicode scalar values, not bytes).</summary>
internal readonly record struct TomlPosition(int Line, int Column)
{
    public override string ToString() => $"{Line}:{Column}";
}
