using System.Buffers;
using System.Globalization;
using System.Text.Json;
using ResMgrLite.Engine.State;

namespace ResMgrLite.Host.State;

/// <summary>
/// The state file's bytes (docs/state.md). One JSON object on one line:
/// <code>
/// {"format":2,"checksum":"fnv1a64:&lt;16 hex digits&gt;","payload":{...}}
///                                   └── FNV-1a-64 over the payload's bytes exactly as stored
/// </code>
/// The version comes first so a newer file is reported as such before anything else is judged.
/// The envelope and the payload are read and written token by token with Utf8JsonReader and
/// Utf8JsonWriter (the checksum covers the payload's bytes as stored; <see cref="CheckpointPayloadWriter"/>,
/// <see cref="CheckpointPayloadReader"/>): no serializer metadata in the image. Version 2 adds the
/// init-container reuse and the Memory QoS accounting, version 3 the in-place resize records; older
/// files read as before (the added fields are optional).
/// </summary>
internal static class CheckpointFormat
{
    /// <summary>The newest format this binary writes and reads.</summary>
    public const int Version = 3;

    private const string ChecksumPrefix = "fnv1a64:";

    /// <summary>Serializes <paramref name="snapshot"/> into <paramref name="output"/> (cleared first).</summary>
    public static void Write(EngineSnapshot snapshot, ArrayBufferWriter<byte> output, ArrayBufferWriter<byte> scratch)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(scratch);
        scratch.ResetWrittenCount();
        using (var payload = new Utf8JsonWriter(scratch))
        {
            CheckpointPayloadWriter.Write(payload, snapshot);
        }
        ReadOnlySpan<byte> payloadBytes = scratch.WrittenSpan;
        output.ResetWrittenCount();
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        writer.WriteNumber("format", Version);
        writer.WriteString("checksum", ChecksumPrefix + Fnv1a64.Hash(payloadBytes).ToString("x16", CultureInfo.InvariantCulture));
        writer.WritePropertyName("payload");
        writer.WriteRawValue(payloadBytes, skipInputValidation: true);
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary>Reads a state file's bytes; every problem is reported as "&lt;path&gt;: &lt;what&gt;".</summary>
    public static CheckpointLoadResult Read(string path, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return Invalid(path, "empty file (a write was cut short before this binary made writes atomic, or the disk lost it)");
        }
        int? format = null;
        string? checksum = null;
        int payloadStart = -1, payloadEnd = -1;
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Invalid(path, "not a JSON object");
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                reader.Read();
                switch (name)
                {
                    case "format" when reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int f):
                        format = f;
                        if (f > Version)
                        {
                            return Invalid(path, $"format version {f} is newer than this binary understands ({Version})");
                        }
                        if (f < 1)
                        {
                            return Invalid(path, $"format version {f} is not a valid version (this binary understands {Version})");
                        }
                        break;
                    case "checksum" when reader.TokenType == JsonTokenType.String:
                        checksum = reader.GetString();
                        break;
                    case "payload" when reader.TokenType == JsonTokenType.StartObject:
                        payloadStart = (int)reader.TokenStartIndex;
                        reader.Skip();
                        payloadEnd = (int)reader.BytesConsumed;
                        break;
                    default:
                        return Invalid(path, $"unexpected or mistyped field \"{name}\" at byte {reader.TokenStartIndex}");
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject)
            {
                return Invalid(path, $"not valid JSON at byte {reader.BytesConsumed}");
            }
            for (int i = (int)reader.BytesConsumed; i < bytes.Length; i++)
            {
                if (bytes[i] is not ((byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
                {
                    return Invalid(path, $"not valid JSON at byte {i}: data after the end of the object");
                }
            }
        }
        catch (JsonException e)
        {
            // One line: the position in the line is the byte offset.
            long at = e.LineNumber == 0 ? e.BytePositionInLine ?? reader.BytesConsumed : reader.BytesConsumed;
            return Invalid(path, $"not valid JSON at byte {at} (truncated or damaged file)");
        }

        if (format is null)
        {
            return Invalid(path, "no format version");
        }
        if (checksum is null || payloadStart < 0)
        {
            return Invalid(path, checksum is null ? "no checksum" : "no payload");
        }
        ReadOnlySpan<byte> payload = bytes[payloadStart..payloadEnd];
        string computed = ChecksumPrefix + Fnv1a64.Hash(payload).ToString("x16", CultureInfo.InvariantCulture);
        if (!string.Equals(checksum, computed, StringComparison.Ordinal))
        {
            return Invalid(path, $"checksum mismatch (stored {checksum}, computed {computed})");
        }
        try
        {
            return new CheckpointLoadResult(CheckpointStatus.Loaded, CheckpointPayloadReader.Read(payload), null);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return Invalid(path, $"payload: {e.Message}");
        }
    }

    private static CheckpointLoadResult Invalid(string path, string problem) => new(CheckpointStatus.Invalid, null, $"{path}: {problem}");
}
