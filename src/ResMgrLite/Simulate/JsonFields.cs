using System.Text;
using System.Text.Json;

namespace ResMgrLite.Simulate;

/// <summary>
/// Walks a syntax-checked JSON document field by field on <see cref="Utf8JsonReader"/> alone (no
/// serializer metadata: each source-generated context cost hundreds of KB of image), keeping the JSON
/// path of the value being read so a value of the wrong type is reported as the serializer reports it:
/// line and column just after the value, and the path (<c>$.items[0].spec.containers</c>).
/// </summary>
internal ref struct JsonFields
{
    private readonly ReadOnlySpan<byte> _utf8;
    private readonly string _source;
    private readonly string _shape;
    // One entry per open object or array: the property or index being read in it (null before the first).
    private readonly List<string?> _path = [];
    private Utf8JsonReader _reader;

    /// <param name="shape">What the values are, for a value of the wrong type.</param>
    public JsonFields(ReadOnlySpan<byte> utf8, string source, string shape)
    {
        _utf8 = utf8;
        _source = source;
        _shape = shape;
        _reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        _reader.Read();
    }

    public readonly bool IsNull => _reader.TokenType == JsonTokenType.Null;

    /// <summary>Enters the object at the current value: false for null, an error for anything else.</summary>
    public bool StartObject() => Start(JsonTokenType.StartObject);

    /// <summary>Enters the array at the current value: false for null, an error for anything else.</summary>
    public bool StartArray() => Start(JsonTokenType.StartArray);

    /// <summary>Moves to the next property's value in the open object: false (and the object closed) at its end.</summary>
    public bool NextProperty(out string name)
    {
        _reader.Read();
        if (_reader.TokenType == JsonTokenType.EndObject)
        {
            _path.RemoveAt(_path.Count - 1);
            name = "";
            return false;
        }
        name = _reader.GetString()!;
        _path[^1] = PathSegment(name);
        _reader.Read();
        return true;
    }

    /// <summary>Moves to the next element of the open array: false (and the array closed) at its end.</summary>
    public bool NextElement(int index)
    {
        _reader.Read();
        if (_reader.TokenType == JsonTokenType.EndArray)
        {
            _path.RemoveAt(_path.Count - 1);
            return false;
        }
        _path[^1] = $"[{index}]";
        return true;
    }

    /// <summary>Passes over a value this reader does not use (unknown fields are ignored).</summary>
    public void Skip() => _reader.Skip();

    public string? String() => _reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => _reader.GetString(),
        _ => throw WrongType(),
    };

    public bool? Boolean() => _reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw WrongType(),
    };

    public int Int32() => _reader.TokenType == JsonTokenType.Number && _reader.TryGetInt32(out int value) ? value : throw WrongType();

    public long Int64() => _reader.TokenType == JsonTokenType.Number && _reader.TryGetInt64(out long value) ? value : throw WrongType();

    /// <summary>A string, or a number's text as written (a Kubernetes quantity may be either).</summary>
    public string NumberOrString() => _reader.TokenType switch
    {
        JsonTokenType.String => _reader.GetString()!,
        JsonTokenType.Number => Encoding.UTF8.GetString(_reader.ValueSpan),
        _ => throw WrongType(),
    };

    /// <summary>The value at the current position has the wrong type: line and column just past it, its JSON path.</summary>
    public readonly SimulationInputException WrongType()
    {
        ReadOnlySpan<byte> before = _utf8[..(int)_reader.BytesConsumed];
        int line = before.Count((byte)'\n');
        int column = before.Length - (before.LastIndexOf((byte)'\n') + 1);
        var path = new StringBuilder("$");
        foreach (string? segment in _path)
        {
            path.Append(segment);
        }
        return new SimulationInputException($"{_source}: line {line + 1}, column {column + 1}, at {path}: the value has the wrong type ({_shape})");
    }

    private bool Start(JsonTokenType expected)
    {
        if (_reader.TokenType == JsonTokenType.Null)
        {
            return false;
        }
        if (_reader.TokenType != expected)
        {
            throw WrongType();
        }
        _path.Add(null);
        return true;
    }

    /// <summary>A property in a JSON path: <c>.name</c>, or <c>['name']</c> when the name holds a character that has a meaning in paths.</summary>
    private static string PathSegment(string name) =>
        name.AsSpan().IndexOfAny(". '/\"[]()\t\n\r\f\b\\\u0085\u2028\u2029") < 0 ? "." + name : $"['{name.Replace("'", "\\'", StringComparison.Ordinal)}']";
}
