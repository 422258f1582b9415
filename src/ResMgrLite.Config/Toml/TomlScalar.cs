namespace ResMgrLite.Config.Toml;

/// <summary>A leaf value: string, integer, float, boolean or one of the date-time kinds.</summary>
internal sealed class TomlScalar : TomlNode
{
    private readonly object _value;

    private TomlScalar(TomlNodeKind kind, object value, TomlPosition position) : base(position)
    {
        Kind = kind;
        _value = value;
    }

    public override TomlNodeKind Kind { get; }

    public string StringValue => (string)_value;

    public long IntegerValue => (long)_value;

    public double FloatValue => (double)_value;

    public bool BooleanValue => (bool)_value;

    public TomlDateTime DateTimeValue => (TomlDateTime)_value;

    internal static TomlScalar String(string value, TomlPosition position) => new(TomlNodeKind.String, value, position);

    internal static TomlScalar Integer(long value, TomlPosition position) => new(TomlNodeKind.Integer, value, position);

    internal static TomlScalar Float(double value, TomlPosition position) => new(TomlNodeKind.Float, value, position);

    internal static TomlScalar Boolean(bool value, TomlPosition position) => new(TomlNodeKind.Boolean, value, position);

    internal static TomlScalar DateTime(TomlDateTime value, TomlPosition position) => new(value.Kind, value, position);

    /// <summary>
    /// The value as text in the toml-test canonical form (decimal integers, round-trip floats
    /// with <c>inf</c>/<c>nan</c>, RFC 3339 date-times). The configuration provider uses the same text.
    /// </summary>
    public string ToCanonicalString() => Kind switch
    {
        TomlNodeKind.String => StringValue,
        TomlNodeKind.Integer => IntegerValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        TomlNodeKind.Float => FormatFloat(FloatValue),
        TomlNodeKind.Boolean => BooleanValue ? "true" : "false",
        _ => DateTimeValue.ToString(),
    };

    private static string FormatFloat(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        // "R" round-trips and keeps the sign of -0; toml-test compares floats by value and writes
        // exponents in lower case ("1e+06"), which every float parser reads.
        return value.ToString("R", System.Globalization.CultureInfo.InvariantCulture).Replace('E', 'e');
    }
}
