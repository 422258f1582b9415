using System.Text;

namespace ResMgrLite.Engine;

/// <summary>
/// Parser for the Linux cpulist format used by sysfs, cgroups and the kernel command line.
/// </summary>
/// <remarks>
/// Grammar (the kernel's <c>bitmap_parselist</c>):
/// <code>
/// list  := "" | item ("," item)*
/// item  := n | n "-" m | n "-" m ":" used "/" group
/// </code>
/// <c>n-m:u/g</c> selects the first <c>u</c> CPUs of every group of <c>g</c> in n..m (e.g.
/// <c>0-7:2/4</c> = 0,1,4,5); isolcpus= accepts it. Surrounding whitespace (sysfs files end in a
/// newline) is ignored. Errors report the 0-based position and the offending text.
/// Success allocates nothing; only the error path builds strings.
/// </remarks>
internal static class CpuListParser
{
    public static bool TryParse(ReadOnlySpan<char> text, out CpuSet set, out CpuListError error)
    {
        set = default;
        error = default;
        int start = 0, end = text.Length;
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }
        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }
        if (start == end)
        {
            return true;
        }

        int position = start;
        while (true)
        {
            if (!TryParseItem(text, ref position, end, ref set, out error))
            {
                set = default;
                return false;
            }
            if (position == end)
            {
                return true;
            }
            // TryParseItem stops only at end or at a comma.
            position++;
            if (position == end)
            {
                error = Fail(text, position - 1, "a CPU id after ','");
                set = default;
                return false;
            }
        }
    }

    private static bool TryParseItem(ReadOnlySpan<char> text, ref int position, int end, ref CpuSet set, out CpuListError error)
    {
        int itemStart = position;
        if (!TryParseNumber(text, ref position, end, "a CPU id", out int first, out error))
        {
            return false;
        }
        if (first >= CpuSet.MaxCpus)
        {
            error = OutOfRange(text, itemStart, position);
            return false;
        }
        if (position == end || text[position] == ',')
        {
            set.Add(first);
            return true;
        }
        if (text[position] != '-')
        {
            error = Fail(text, position, "',' or '-' after a CPU id");
            return false;
        }
        position++;
        int lastStart = position;
        if (!TryParseNumber(text, ref position, end, "the last CPU id of a range", out int last, out error))
        {
            return false;
        }
        if (last >= CpuSet.MaxCpus)
        {
            error = OutOfRange(text, lastStart, position);
            return false;
        }
        if (last < first)
        {
            error = new CpuListError(itemStart, Escape(text[itemStart..position]), "a range must not end below its start");
            return false;
        }
        if (position == end || text[position] == ',')
        {
            set.AddRange(first, last);
            return true;
        }
        if (text[position] != ':')
        {
            error = Fail(text, position, "',' or ':' after a range");
            return false;
        }
        position++;
        int usedStart = position;
        if (!TryParseNumber(text, ref position, end, "the used count of a group (n-m:used/group)", out int used, out error))
        {
            return false;
        }
        if (position == end || text[position] != '/')
        {
            error = Fail(text, position, "'/' after the used count of a group");
            return false;
        }
        position++;
        if (!TryParseNumber(text, ref position, end, "the group size (n-m:used/group)", out int group, out error))
        {
            return false;
        }
        if (group == 0 || used == 0 || used > group)
        {
            error = new CpuListError(usedStart, Escape(text[usedStart..position]), "a group needs 0 < used <= group size");
            return false;
        }
        if (position != end && text[position] != ',')
        {
            error = Fail(text, position, "',' after a group size");
            return false;
        }
        for (int cpu = first; cpu <= last; cpu++)
        {
            if ((cpu - first) % group < used)
            {
                set.Add(cpu);
            }
        }
        return true;
    }

    private static bool TryParseNumber(ReadOnlySpan<char> text, ref int position, int end, string expected, out int value, out CpuListError error)
    {
        value = 0;
        error = default;
        int start = position;
        while (position < end && text[position] is >= '0' and <= '9')
        {
            // Saturate instead of overflowing: anything above the limit is reported as out of range.
            value = value > CpuSet.MaxCpus ? value : value * 10 + (text[position] - '0');
            position++;
        }
        if (position == start)
        {
            error = Fail(text, start, expected);
            return false;
        }
        return true;
    }

    private static CpuListError OutOfRange(ReadOnlySpan<char> text, int start, int end) =>
        new(start, Escape(text[start..end]), $"CPU ids must be 0..{CpuSet.MaxCpus - 1}");

    private static CpuListError Fail(ReadOnlySpan<char> text, int position, string expected)
    {
        string offending = position < text.Length ? Escape(text.Slice(position, 1)) : "end of input";
        return new CpuListError(position, offending, "expected " + expected);
    }

    /// <summary>Escapes control and non-ASCII characters as \xNN / \uNNNN for error messages.</summary>
    public static string Escape(ReadOnlySpan<char> text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (c is >= ' ' and <= '~')
            {
                builder.Append(c);
            }
            else if (c <= 0xFF)
            {
                builder.Append("\\x").Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }
}
