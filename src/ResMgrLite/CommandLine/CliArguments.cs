namespace ResMgrLite.CommandLine;

/// <summary>The parsed values of one command line, and where the command writes.</summary>
internal sealed class CliArguments(IReadOnlyDictionary<CliOption, string> given, TextWriter stdout, TextWriter stderr)
{
    public TextWriter Out { get; } = stdout;

    public TextWriter Error { get; } = stderr;

    /// <summary>The value given for <paramref name="option"/>, else its default (null when it has none).</summary>
    public string? Value(CliOption option) => given.TryGetValue(option, out string? value) ? value : option.Default;

    /// <summary>The value of an option that has a default, so it is never null.</summary>
    public string Required(CliOption option) =>
        Value(option) ?? throw new InvalidOperationException($"{option.Name} has neither a value nor a default");

    /// <summary>True when the flag was given.</summary>
    public bool Has(CliOption flag) => given.ContainsKey(flag);
}
