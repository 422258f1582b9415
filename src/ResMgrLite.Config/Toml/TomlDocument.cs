using System.Text;

namespace ResMgrLite.Config.Toml;

/// <summary>Entry points of the TOML 1.0 parser.</summary>
internal static class TomlDocument
{
    /// <summary>Deepest nesting of tables and arrays a document may have.</summary>
    public const int MaxDepth = TomlParser.MaxDepth;

    /// <summary>Parses a UTF-8 document (an initial byte-order mark is allowed).</summary>
    /// <param name="sourceName">File name or label used as the prefix of error messages.</param>
    /// <exception cref="TomlException">The input is not valid TOML 1.0.</exception>
    public static TomlTable Parse(ReadOnlySpan<byte> utf8, string? sourceName = null) => TomlParser.Parse(utf8, sourceName);

    /// <summary>Parses a document held as a .NET string (for example NRI's Configure payload).</summary>
    public static TomlTable Parse(string text, string? sourceName = null) =>
        TomlParser.Parse(Encoding.UTF8.GetBytes(text), sourceName);
}
