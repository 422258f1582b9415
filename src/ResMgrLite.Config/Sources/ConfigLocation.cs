namespace ResMgrLite.Config.Sources;

/// <summary>
/// Where a configuration value came from: a file (or other named text) with line and column, or
/// an environment variable. Printed the way compilers do, so editors can jump to it.
/// </summary>
internal readonly record struct ConfigLocation(string Source, int Line, int Column)
{
    /// <summary>A value that came from no source: the built-in default.</summary>
    public static ConfigLocation Default => new("<default>", 0, 0);

    public static ConfigLocation Environment(string variable) => new("env:" + variable, 0, 0);

    public override string ToString() => Line > 0 ? $"{Source}:{Line}:{Column}" : Source;
}
