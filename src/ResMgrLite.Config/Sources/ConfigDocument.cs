using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ResMgrLite.Config.Toml;

namespace ResMgrLite.Config.Sources;

/// <summary>
/// The flattened content of one configuration source (TOML text, a JSON file, or the process
/// environment) with the location of every item. A source that cannot be read or parsed yields
/// no entries and one problem.
/// </summary>
internal sealed class ConfigDocument
{
    /// <summary>Environment variables with this prefix override file settings; "__" separates levels.</summary>
    public const string EnvironmentPrefix = "RESMGRLITE__";

    /// <summary>The largest configuration accepted, from a file or from the runtime (a real one is a few KiB).</summary>
    public const int MaxBytes = 1 << 20;

    private ConfigDocument(string sourceName, IReadOnlyList<ConfigEntry> entries, IReadOnlyList<ConfigProblem> problems)
    {
        SourceName = sourceName;
        Entries = entries;
        Problems = problems;
    }

    public string SourceName { get; }

    public IReadOnlyList<ConfigEntry> Entries { get; }

    /// <summary>Read or syntax errors; when present, <see cref="Entries"/> is empty.</summary>
    public IReadOnlyList<ConfigProblem> Problems { get; }

    /// <summary>
    /// A file's content (the executable reads it through the host layer, bounded): <c>.json</c> as
    /// JSON, anything else (the NRI drop-in <c>.conf</c>, <c>.toml</c>) as TOML.
    /// </summary>
    public static ConfigDocument FromFileContent(ReadOnlySpan<byte> content, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? FromJson(content, path) : FromToml(content, path);
    }

    /// <summary>A file that could not be read: no entries, one problem saying why.</summary>
    public static ConfigDocument Unreadable(string path, string reason) =>
        Failed(path, new ConfigProblem(new ConfigLocation(path, 0, 0), $"cannot read the configuration file: {reason}"));

    /// <summary>TOML text, e.g. the drop-in file content NRI passes in ConfigureRequest.config.</summary>
    public static ConfigDocument FromToml(string text, string sourceName) => FromToml(Encoding.UTF8.GetBytes(text ?? ""), sourceName);

    public static ConfigDocument FromToml(ReadOnlySpan<byte> utf8, string sourceName)
    {
        if (utf8.Length > MaxBytes)
        {
            return TooLarge(sourceName, utf8.Length);
        }

        TomlTable root;
        try
        {
            root = TomlDocument.Parse(utf8, sourceName);
        }
        catch (TomlException exception)
        {
            return Failed(sourceName, new ConfigProblem(new ConfigLocation(sourceName, exception.Position.Line, exception.Position.Column), exception.Reason));
        }

        var entries = new List<ConfigEntry>();
        FlattenToml(root, "", sourceName, entries);
        return new ConfigDocument(sourceName, entries, []);
    }

    public static ConfigDocument FromJson(ReadOnlySpan<byte> utf8, string sourceName)
    {
        if (utf8.Length > MaxBytes)
        {
            return TooLarge(sourceName, utf8.Length);
        }

        var entries = new List<ConfigEntry>();
        var problems = new List<ConfigProblem>();
        try
        {
            JsonFlattener.Flatten(utf8, sourceName, entries, problems);
        }
        catch (JsonException exception)
        {
            var location = new ConfigLocation(sourceName, (int)(exception.LineNumber ?? 0) + 1, (int)(exception.BytePositionInLine ?? 0) + 1);
            return Failed(sourceName, new ConfigProblem(location, $"invalid JSON: {JsonErrorText.Reason(exception)}"));
        }

        return problems.Count > 0 ? Failed(sourceName, [.. problems]) : new ConfigDocument(sourceName, entries, []);
    }

    /// <summary>
    /// Variables named <c>RESMGRLITE__SECTION__KEY</c> (prefix matched case-insensitively, as
    /// Microsoft.Extensions.Configuration does); every value is text, checked by parsing.
    /// </summary>
    public static ConfigDocument FromEnvironment(IDictionary variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var entries = new List<ConfigEntry>();
        foreach (DictionaryEntry variable in variables)
        {
            string name = variable.Key as string ?? "";
            if (name.Length <= EnvironmentPrefix.Length || !name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            string path = name[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal);
            entries.Add(new ConfigEntry(path, variable.Value as string ?? "", ConfigValueShape.Untyped, ConfigLocation.Environment(name)));
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return new ConfigDocument("environment", entries, []);
    }

    private static ConfigDocument Failed(string sourceName, params ConfigProblem[] problems) => new(sourceName, [], problems);

    private static ConfigDocument TooLarge(string sourceName, int length) =>
        Failed(sourceName, new ConfigProblem(new ConfigLocation(sourceName, 0, 0),
            $"the configuration is {length} bytes, larger than {MaxBytes >> 20} MiB, the limit (a ResMgrLite configuration is a few KiB): check that this is the right file"));

    private static void FlattenToml(TomlNode node, string path, string sourceName, List<ConfigEntry> entries)
    {
        var location = new ConfigLocation(sourceName, node.KeyPosition.Line, node.KeyPosition.Column);
        switch (node)
        {
            case TomlTable table:
                if (path.Length > 0)
                {
                    entries.Add(new ConfigEntry(path, null, ConfigValueShape.Table, location));
                }

                foreach (var (key, child) in table.Entries)
                {
                    FlattenToml(child, ConfigPath.Combine(path, key), sourceName, entries);
                }

                break;
            case TomlArray array:
                entries.Add(new ConfigEntry(path, null, ConfigValueShape.Array, location));
                for (int i = 0; i < array.Count; i++)
                {
                    FlattenToml(array[i], ConfigPath.Combine(path, i.ToString(CultureInfo.InvariantCulture)), sourceName, entries);
                }

                break;
            case TomlScalar scalar:
                var shape = scalar.Kind switch
                {
                    TomlNodeKind.String => ConfigValueShape.String,
                    TomlNodeKind.Integer => ConfigValueShape.Integer,
                    TomlNodeKind.Float => ConfigValueShape.Float,
                    TomlNodeKind.Boolean => ConfigValueShape.Boolean,
                    _ => ConfigValueShape.DateTime,
                };
                // Array elements have no key of their own: point at the value.
                var valueLocation = new ConfigLocation(sourceName, scalar.Position.Line, scalar.Position.Column);
                entries.Add(new ConfigEntry(path, scalar.ToCanonicalString(), shape, scalar.KeyPosition == scalar.Position ? valueLocation : location));
                break;
        }
    }
}
