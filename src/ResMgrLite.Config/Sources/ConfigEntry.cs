namespace ResMgrLite.Config.Sources;

/// <summary>
/// One flattened configuration item: a ':'-separated path as Microsoft.Extensions.Configuration
/// uses it (<c>cpuManager:policyOptions:full-pcpus-only</c>, array elements by index), its text,
/// its source type and its location. Tables and arrays appear too (with a null value) so that an
/// unknown section, even an empty one, can be reported where it is written.
/// </summary>
internal sealed record ConfigEntry(string Path, string? Value, ConfigValueShape Shape, ConfigLocation Location)
{
    public bool IsContainer => Shape is ConfigValueShape.Table or ConfigValueShape.Array;

    /// <summary>The path as a user writes it in TOML: dotted, with [n] for array elements.</summary>
    public string DisplayPath => ConfigPath.ToDisplay(Path);
}
