namespace ResMgrLite.CommandLine;

/// <summary>
/// One option of a command: <c>--name VALUE</c> (also <c>--name=VALUE</c>), or a flag when
/// <see cref="ValueName"/> is null. Values are passed through as given; <see cref="Check"/> may
/// refuse one with a sentence that says what is wrong.
/// </summary>
internal sealed class CliOption
{
    /// <summary>The option as typed, with its dashes: <c>--sysfs</c>.</summary>
    public required string Name { get; init; }

    /// <summary>What the value is, in the help (<c>DIR</c>, <c>FILE</c>); null for a flag.</summary>
    public string? ValueName { get; init; }

    public required string Description { get; init; }

    /// <summary>The value when the option is not given (shown in the help).</summary>
    public string? Default { get; init; }

    /// <summary>Accepted but not listed in the help (test hooks).</summary>
    public bool Hidden { get; init; }

    /// <summary>Null when the value is acceptable, else the problem (a sentence naming the option).</summary>
    public Func<string, string?>? Check { get; init; }

    public bool IsFlag => ValueName is null;
}
