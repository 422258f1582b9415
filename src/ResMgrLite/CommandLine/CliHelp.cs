using System.Text;

namespace ResMgrLite.CommandLine;

/// <summary>
/// Writes a command's help in the layout help2man reads (Usage line, description, Commands and
/// Options sections with indented entries, then free paragraphs), wrapped at 80 columns.
/// </summary>
internal static class CliHelp
{
    private const int Width = 80;
    private const int MaxNameColumn = 30;
    private const string HelpNames = "-h, --help";

    public static void Write(CliCommand command, string path, TextWriter output)
    {
        var text = new StringBuilder();
        string usage = command.Run is null ? "COMMAND [OPTION]..."
            : command.Commands.Count > 0 ? "[COMMAND] [OPTION]..."
            : "[OPTION]...";
        text.Append("Usage: ").Append(path).Append(' ').Append(usage).Append("\n\n");
        foreach (string line in command.Summary.Split('\n'))
        {
            Wrap(text, line, 0, 0);
        }

        var commands = new List<(string Name, string Text)>();
        foreach (CliCommand sub in command.Commands)
        {
            if (!sub.Hidden)
            {
                commands.Add((sub.Name, sub.Summary));
            }
        }
        if (commands.Count > 0)
        {
            text.Append("\nCommands:\n");
            WriteEntries(text, commands);
        }

        var options = new List<(string Name, string Text)>();
        foreach (CliOption option in command.Options)
        {
            if (option.Hidden)
            {
                continue;
            }
            string name = option.IsFlag ? option.Name : option.Name + " " + option.ValueName;
            string description = option.Default is { Length: > 0 } fallback
                ? $"{option.Description} (default: {fallback})"
                : option.Description;
            options.Add((name, description));
        }
        options.Add((HelpNames, "Show this help and exit."));
        text.Append("\nOptions:\n");
        WriteEntries(text, options);

        if (command.Details is { } details)
        {
            text.Append('\n').Append(details.TrimEnd('\n')).Append('\n');
        }
        output.Write(text.ToString());
        output.Flush();
    }

    private static void WriteEntries(StringBuilder text, List<(string Name, string Text)> entries)
    {
        int column = 0;
        foreach ((string name, _) in entries)
        {
            column = Math.Max(column, Math.Min(name.Length + 4, MaxNameColumn));
        }
        foreach ((string name, string description) in entries)
        {
            text.Append("  ").Append(name);
            int at = 2 + name.Length;
            if (at + 2 > column)
            {
                text.Append('\n');
                at = 0;
            }
            text.Append(' ', column - at);
            Wrap(text, description, column, column);
        }
    }

    /// <summary>Appends <paramref name="words"/> as lines of at most <see cref="Width"/> columns;
    /// the first line starts at <paramref name="firstColumn"/> (already indented), the others are
    /// indented by <paramref name="indent"/>.</summary>
    private static void Wrap(StringBuilder text, string words, int firstColumn, int indent)
    {
        int at = firstColumn;
        bool lineHasWord = false;
        foreach (string word in words.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (lineHasWord && at + 1 + word.Length > Width)
            {
                text.Append('\n').Append(' ', indent);
                at = indent;
                lineHasWord = false;
            }
            if (lineHasWord)
            {
                text.Append(' ');
                at++;
            }
            text.Append(word);
            at += word.Length;
            lineHasWord = true;
        }
        text.Append('\n');
    }
}
