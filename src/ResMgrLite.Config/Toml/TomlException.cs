namespace ResMgrLite.Config.Toml;

/// <summary>
/// The only exception the TOML parser throws for bad input. It always carries the position of
/// the offending byte and says what would have been valid there.
/// </summary>
internal sealed class TomlException : Exception
{
    public TomlException(string reason, TomlPosition position, string? sourceName)
        : base(Format(reason, position, sourceName))
    {
        Reason = reason;
        Position = position;
        SourceName = sourceName;
    }

    /// <summary>What went wrong, without the position prefix.</summary>
    public string Reason { get; }

    public TomlPosition Position { get; }

    /// <summary>File name or other label of the input; null when the caller gave none.</summary>
    public string? SourceName { get; }

    private static string Format(string reason, TomlPosition position, string? sourceName) =>
        sourceName is null
            ? $"line {position.Line}, column {position.Column}: {reason}"
            : $"{sourceName}:{position.Line}:{position.Column}: {reason}";
}
