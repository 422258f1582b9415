using System.Text.Json;

namespace ResMgrLite.Host.State;

/// <summary>
/// Token-by-token reading of the state file's payload with the checks a typed reader would make, each
/// failure a <see cref="FormatException"/> that names the field's place (<c>pods[2].containers: …</c>;
/// an empty place is the payload itself). Every object is read against its list of known fields: an
/// unknown field, a field given twice and a missing required one are errors, never skipped or guessed.
/// The payload's bytes were already checked to be one JSON object by the envelope's reader, so the
/// tokens themselves are well formed.
/// </summary>
internal ref struct PayloadJsonReader
{
    private Utf8JsonReader _reader;

    public PayloadJsonReader(ReadOnlySpan<byte> payload)
    {
        _reader = new Utf8JsonReader(payload, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        _reader.Read();
    }

    /// <summary>"at.field", or "field" at the payload's top.</summary>
    public static string Place(string at, string field) => at.Length == 0 ? field : $"{at}.{field}";

    /// <summary>The current value is null (an optional object or list that is absent).</summary>
    public readonly bool IsNull => _reader.TokenType == JsonTokenType.Null;

    /// <summary>Checks that the current value starts an object; read its fields with <see cref="NextField"/>.</summary>
    public readonly void ExpectObject(string place)
    {
        if (_reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FormatException($"{place}: not an object");
        }
    }

    /// <summary>Checks that the current value starts a list; read its items with <see cref="NextItem"/>.</summary>
    public readonly void ExpectList(string place)
    {
        if (_reader.TokenType != JsonTokenType.StartArray)
        {
            throw new FormatException($"{place}: not a list");
        }
    }

    /// <summary>Moves to the next item of the current list; false at its end.</summary>
    public bool NextItem()
    {
        _reader.Read();
        return _reader.TokenType != JsonTokenType.EndArray;
    }

    /// <summary>
    /// Moves to the value of the current object's next field and returns the field's name (the
    /// instance from <paramref name="fields"/>), or null at the object's end, where the first
    /// <paramref name="required"/> fields must have been seen. Bit i of <paramref name="seen"/>
    /// records fields[i].
    /// </summary>
    public string? NextField(string[] fields, int required, ref uint seen, string at)
    {
        _reader.Read();
        if (_reader.TokenType == JsonTokenType.EndObject)
        {
            RequireFields(fields, required, seen, at);
            return null;
        }
        for (int i = 0; i < fields.Length; i++)
        {
            if (_reader.ValueTextEquals(fields[i]))
            {
                if ((seen & (1u << i)) != 0)
                {
                    throw new FormatException($"{Place(at, fields[i])}: given twice");
                }
                seen |= 1u << i;
                _reader.Read();
                return fields[i];
            }
        }
        throw new FormatException($"{(at.Length == 0 ? "" : at + ": ")}unknown field \"{Text()}\"");
    }

    /// <summary>Throws for the first of fields[0..<paramref name="required"/>) missing from <paramref name="seen"/>.</summary>
    private static void RequireFields(string[] fields, int required, uint seen, string at)
    {
        for (int i = 0; i < required; i++)
        {
            if ((seen & (1u << i)) == 0)
            {
                throw new FormatException($"{(at.Length == 0 ? "" : at + ": ")}missing \"{fields[i]}\"");
            }
        }
    }

    public readonly string String(string place) =>
        _reader.TokenType == JsonTokenType.String ? Text() : throw new FormatException($"{place}: not a string");

    public readonly bool Boolean(string place) => _reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw new FormatException($"{place}: not true or false"),
    };

    public readonly int Int32(string place) =>
        _reader.TokenType == JsonTokenType.Number && _reader.TryGetInt32(out int value)
            ? value
            : throw new FormatException($"{place}: not a whole number from -2147483648 to 2147483647");

    public readonly long Int64(string place) =>
        _reader.TokenType == JsonTokenType.Number && _reader.TryGetInt64(out long value)
            ? value
            : throw new FormatException($"{place}: not a whole number from -9223372036854775808 to 9223372036854775807");

    public readonly ulong UInt64(string place) =>
        _reader.TokenType == JsonTokenType.Number && _reader.TryGetUInt64(out ulong value)
            ? value
            : throw new FormatException($"{place}: not a whole number from 0 to 18446744073709551615");

    private readonly string Text()
    {
        try
        {
            return _reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // Invalid UTF-8 inside the quotes: the reader checks it only when the text is taken.
            throw new FormatException($"text at byte {_reader.TokenStartIndex} of the payload is not valid UTF-8");
        }
    }
}
