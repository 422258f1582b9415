using System.Text;

namespace ResMgrLite.Host.Cgroups;

/// <summary>
/// Parses <c>/proc/&lt;pid&gt;/mountinfo</c> (proc(5)):
/// <code>
/// 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
/// (1)(2) (3)   (4)   (5)      (6)     (7)   (8) (9)   (10)         (11)
/// </code>
/// Field 7 is zero or more optional fields ended by the lone <c>-</c> (8); the file system type,
/// source and super options follow it.
/// </summary>
internal static class MountInfoParser
{
    private const int MountPointField = 4;
    private const int FieldsBeforeOptional = 6;

    /// <summary>Parses every line; a malformed line is reported with its 1-based number.</summary>
    public static List<MountInfoEntry> Parse(string text, string path)
    {
        var entries = new List<MountInfoEntry>();
        int lineNumber = 0;
        foreach (string line in text.Split('\n'))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }
            if (!TryParseLine(line, out MountInfoEntry entry))
            {
                throw new FormatException($"{path} line {lineNumber}: not a mountinfo line: \"{line}\"");
            }
            entries.Add(entry);
        }
        return entries;
    }

    public static bool TryParseLine(string line, out MountInfoEntry entry)
    {
        entry = default;
        string[] fields = line.Split(' ');
        if (fields.Length <= FieldsBeforeOptional)
        {
            return false;
        }
        int separator = Array.IndexOf(fields, "-", FieldsBeforeOptional);
        if (separator < 0 || separator + 3 > fields.Length)
        {
            return false;
        }
        string superOptions = separator + 3 < fields.Length ? fields[separator + 3] : string.Empty;
        entry = new MountInfoEntry(Unescape(fields[MountPointField]), fields[separator + 1], superOptions);
        return true;
    }

    /// <summary>Decodes the kernel's <c>\ooo</c> escapes for space, tab, newline and backslash.</summary>
    internal static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }
        var builder = new StringBuilder(field.Length);
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && IsOctal(field[i + 1]) && IsOctal(field[i + 2]) && IsOctal(field[i + 3]))
            {
                builder.Append((char)(((field[i + 1] - '0') << 6) | ((field[i + 2] - '0') << 3) | (field[i + 3] - '0')));
                i += 3;
            }
            else
            {
                builder.Append(field[i]);
            }
        }
        return builder.ToString();
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';
}
