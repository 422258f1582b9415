using System.Text.Encodings.Web;
using System.Text.Json;

namespace ResMgrLite.Config.Toml;

/// <summary>
/// Writes a document in toml-test's "tagged JSON" form: tables as objects, arrays as arrays,
/// every scalar as {"type": …, "value": "…"} with the value always a string
/// (see tests/ResMgrLite.Config.Tests/TomlTestData/README.md, "Expected-output JSON convention").
/// Hand-written with Utf8JsonWriter: no reflection, safe under Native AOT.
/// </summary>
internal static class TomlTaggedJson
{
    public static void Write(TomlTable document, Stream output)
    {
        var options = new JsonWriterOptions
        {
            Indented = true,
            // Keep non-ASCII readable; the output is data for a test harness, never HTML.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            // Parser depth is capped at TomlDocument.MaxDepth; each level is at most one JSON level.
            MaxDepth = (TomlDocument.MaxDepth * 2) + 8,
        };
        using var writer = new Utf8JsonWriter(output, options);
        WriteNode(writer, document);
        writer.Flush();
    }

    public static string ToJson(TomlTable document)
    {
        using var buffer = new MemoryStream();
        Write(document, buffer);
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void WriteNode(Utf8JsonWriter writer, TomlNode node)
    {
        switch (node)
        {
            case TomlTable table:
                writer.WriteStartObject();
                foreach (var (key, value) in table.Entries)
                {
                    writer.WritePropertyName(key);
                    WriteNode(writer, value);
                }

                writer.WriteEndObject();
                break;
            case TomlArray array:
                writer.WriteStartArray();
                foreach (var item in array.Items)
                {
                    WriteNode(writer, item);
                }

                writer.WriteEndArray();
                break;
            case TomlScalar scalar:
                writer.WriteStartObject();
                writer.WriteString("type"u8, TypeName(scalar.Kind));
                writer.WriteString("value"u8, scalar.ToCanonicalString());
                writer.WriteEndObject();
                break;
        }
    }

    private static string TypeName(TomlNodeKind kind) => kind switch
    {
        TomlNodeKind.String => "string",
        TomlNodeKind.Integer => "integer",
        TomlNodeKind.Float => "float",
        TomlNodeKind.Boolean => "bool",
        TomlNodeKind.OffsetDateTime => "datetime",
        TomlNodeKind.LocalDateTime => "datetime-local",
        TomlNodeKind.LocalDate => "date-local",
        TomlNodeKind.LocalTime => "time-local",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a scalar kind"),
    };
}
