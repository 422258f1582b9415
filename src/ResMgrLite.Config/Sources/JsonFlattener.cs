using System.Globalization;
using System.Text.Json;
using ResMgrLite.Config.Toml;

namespace ResMgrLite.Config.Sources;

/// <summary>
/// Flattens a JSON configuration file with Utf8JsonReader (no reflection), keeping each item's
/// line and column. Comments and trailing commas are accepted, as in appsettings.json files.
/// Microsoft.Extensions.Configuration's own JSON provider would drop the positions and the value
/// types and cost more bytes (measured in docs/configuration.md), so it is not used.
/// </summary>
internal static class JsonFlattener
{
    public static void Flatten(ReadOnlySpan<byte> utf8, string sourceName, List<ConfigEntry> entries, List<ConfigProblem> problems)
    {
        var lines = new Utf8LineMap(utf8);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            MaxDepth = TomlDocument.MaxDepth,
        });

        if (!reader.Read())
        {
            return;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            problems.Add(new ConfigProblem(Locate(utf8, lines, sourceName, reader.TokenStartIndex), "a JSON configuration file must hold one object"));
            return;
        }

        ReadObject(ref reader, utf8, lines, sourceName, "", entries, problems);
    }

    private static void ReadObject(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, Utf8LineMap lines, string sourceName, string path,
        List<ConfigEntry> entries, List<ConfigProblem> problems)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            var location = Locate(utf8, lines, sourceName, reader.TokenStartIndex);
            if (!seen.Add(name))
            {
                problems.Add(new ConfigProblem(location, $"'{ConfigPath.ToDisplay(ConfigPath.Combine(path, name))}' appears twice"));
            }

            reader.Read();
            ReadValue(ref reader, utf8, lines, sourceName, ConfigPath.Combine(path, name), location, entries, problems);
        }
    }

    private static void ReadValue(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, Utf8LineMap lines, string sourceName, string path,
        ConfigLocation location, List<ConfigEntry> entries, List<ConfigProblem> problems)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                entries.Add(new ConfigEntry(path, null, ConfigValueShape.Table, location));
                ReadObject(ref reader, utf8, lines, sourceName, path, entries, problems);
                break;
            case JsonTokenType.StartArray:
                entries.Add(new ConfigEntry(path, null, ConfigValueShape.Array, location));
                int index = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var itemLocation = Locate(utf8, lines, sourceName, reader.TokenStartIndex);
                    ReadValue(ref reader, utf8, lines, sourceName, ConfigPath.Combine(path, index.ToString(CultureInfo.InvariantCulture)), itemLocation, entries, problems);
                    index++;
                }

                break;
            case JsonTokenType.String:
                entries.Add(new ConfigEntry(path, reader.GetString(), ConfigValueShape.String, location));
                break;
            case JsonTokenType.Number:
                string number = System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
                bool integral = reader.TryGetInt64(out _);
                entries.Add(new ConfigEntry(path, number, integral ? ConfigValueShape.Integer : ConfigValueShape.Float, location));
                break;
            case JsonTokenType.True:
            case JsonTokenType.False:
                entries.Add(new ConfigEntry(path, reader.GetBoolean() ? "true" : "false", ConfigValueShape.Boolean, location));
                break;
            default:
                entries.Add(new ConfigEntry(path, null, ConfigValueShape.Null, location));
                break;
        }
    }

    private static ConfigLocation Locate(ReadOnlySpan<byte> utf8, Utf8LineMap lines, string sourceName, long offset)
    {
        var position = lines.PositionOf(utf8, (int)offset);
        return new ConfigLocation(sourceName, position.Line, position.Column);
    }
}
