namespace ResMgrLite.CommandLine;

/// <summary>
/// A command of the command line, declared as one object: its name, one-line summary, options and
/// what it runs. A command with <see cref="Commands"/> and no <see cref="Run"/> is a group
/// (<c>conformance</c>, <c>debug</c>) that only names its subcommands.
/// </summary>
internal sealed class CliCommand(string name, string summary)
{
    public string Name { get; } = name;

    /// <summary>One sentence for the command list; the first paragraph of the command's help.</summary>
    public string Summary { get; } = summary;

    /// <summary>Further help paragraphs (input formats, exit status), printed after the options.</summary>
    public string? Details { get; init; }

    public IReadOnlyList<CliOption> Options { get; init; } = [];

    public IReadOnlyList<CliCommand> Commands { get; init; } = [];

    /// <summary>Runs the command with the parsed values; returns the exit status.</summary>
    public Func<CliArguments, int>? Run { get; init; }

    /// <summary>Works, but is not listed in its parent's help (developer tools).</summary>
    public bool Hidden { get; init; }

    public CliCommand? FindCommand(string name)
    {
        foreach (CliCommand command in Commands)
        {
            if (command.Name == name)
            {
                return command;
            }
        }
        return null;
    }

    public CliOption? FindOption(string name)
    {
        foreach (CliOption option in Options)
        {
            if (option.Name == name)
            {
                return option;
            }
        }
        return null;
    }
}
