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
public sealed class ConfigDocument
{
    /// <summary>Environment variables with this prefix override file settings; "__" separates levels.</summary>
    public const string EnvironmentPrefix = "RESMGRLITE__";

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

    /// <summary>Reads a file: <c>.json</c> as JSON, anything else (the NRI drop-in <c>.conf</c>, <c>.toml</c>) as TOML.</summary>
    public static ConfigDocument FromFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return Failed(path, new ConfigProblem(new ConfigLocation(path, 0, 0), $"cannot read the configuration file: {exception.Message}"));
        }

        return path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? FromJson(bytes, path) : FromToml(bytes, path);
    }

    /// <summary>TOML text, e.g. the drop-in file content NRI passes in ConfigureRequest.config.</summary>
    public static ConfigDocument FromToml(string text, string sourceName) => FromToml(Encoding.UTF8.GetBytes(text ?? ""), sourceName);

    public static ConfigDocument FromToml(ReadOnlySpan<byte> utf8, string sourceName)
    {
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
        var entries = new List<ConfigEntry>();
        var problems = new List<ConfigProblem>();
        try
        {
            JsonFlattener.Flatten(utf8, sourceName, entries, problems);
        }
        catch (JsonException exception)
        {
            var location = new ConfigLocation(sourceName, (int)(exception.LineNumber ?? 0) + 1, (int)(exception.BytePositionInLine ?? 0) + 1);
            return Failed(sourceName, new ConfigProblem(location, $"invalid JSON: {exception.Message}"));
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
