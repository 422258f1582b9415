namespace ResMgrLite.CommandLine;

/// <summary>
/// Parses a command line against the declared commands and runs the chosen one. The grammar is
/// small on purpose: <c>COMMAND [SUBCOMMAND] [--option VALUE | --option=VALUE | --flag]...</c>,
/// <c>-h</c>/<c>--help</c>/<c>-?</c> anywhere after the command, no positional arguments. Wrong usage
/// is reported in one sentence on stderr with exit status <see cref="UsageError"/>; nothing throws.
/// </summary>
internal static class CliParser
{
    /// <summary>Exit status for a command line that could not be understood.</summary>
    public const int UsageError = 2;

    /// <summary>Exit status when the command ran into an error it did not handle.</summary>
    public const int Failure = 1;

    public static int Run(CliCommand root, string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(args);
        CliCommand command = root;
        string path = root.Name;
        int next = 0;
        while (next < args.Length && command.Commands.Count > 0 && !args[next].StartsWith('-'))
        {
            CliCommand? sub = command.FindCommand(args[next]);
            if (sub is null)
            {
                return Usage(stderr, path, $"unknown command '{args[next]}' (the commands are: {VisibleCommandNames(command)})");
            }
            command = sub;
            path += " " + sub.Name;
            next++;
        }

        for (int i = next; i < args.Length; i++)
        {
            if (args[i] is "-h" or "--help" or "-?")
            {
                CliHelp.Write(command, path, stdout);
                return 0;
            }
        }

        var given = new Dictionary<CliOption, string>();
        for (; next < args.Length; next++)
        {
            string arg = args[next];
            if (!arg.StartsWith('-'))
            {
                return command.Commands.Count > 0
                    ? Usage(stderr, path, $"unknown command '{arg}' (the commands are: {VisibleCommandNames(command)})")
                    : Usage(stderr, path, $"unexpected argument '{arg}': this command takes only options");
            }
            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            string name = equals < 0 ? arg : arg[..equals];
            CliOption? option = command.FindOption(name);
            if (option is null)
            {
                return Usage(stderr, path, $"unknown option '{name}'");
            }
            if (given.ContainsKey(option))
            {
                return Usage(stderr, path, $"{name} is given more than once");
            }

            string value;
            if (option.IsFlag)
            {
                if (equals >= 0)
                {
                    return Usage(stderr, path, $"{name} is a flag and takes no value");
                }
                value = "";
            }
            else if (equals >= 0)
            {
                value = arg[(equals + 1)..];
            }
            else if (next + 1 < args.Length && !args[next + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++next];
            }
            else
            {
                return Usage(stderr, path, $"{name} needs a value ({name} {option.ValueName}; use {name}=VALUE for a value that starts with --)");
            }

            if (option.Check?.Invoke(value) is { } problem)
            {
                return Usage(stderr, path, problem);
            }
            given[option] = value;
        }

        if (command.Run is null)
        {
            return Usage(stderr, path, $"a command is missing (one of: {VisibleCommandNames(command)})");
        }
        try
        {
            return command.Run(new CliArguments(given, stdout, stderr));
        }
#pragma warning disable CA1031 // Last line of defence: a sentence and exit 1, never a stack trace.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            stderr.WriteLine($"{path}: {ex.Message}");
            return Failure;
        }
    }

    private static int Usage(TextWriter stderr, string path, string problem)
    {
        stderr.WriteLine($"{path}: {problem}");
        stderr.WriteLine($"Run '{path} --help' for the usage.");
        return UsageError;
    }

    private static string VisibleCommandNames(CliCommand command)
    {
        var names = new List<string>();
        foreach (CliCommand sub in command.Commands)
        {
            if (!sub.Hidden)
            {
                names.Add(sub.Name);
            }
        }
        return string.Join(", ", names);
    }
}
