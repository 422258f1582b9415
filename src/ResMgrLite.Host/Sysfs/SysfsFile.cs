using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using ResMgrLite.Engine;
using ResMgrLite.Host.Files;

namespace ResMgrLite.Host.Sysfs;

/// <summary>
/// Reads single-value sysfs attribute files and reports failures as
/// <see cref="TopologyDiscoveryException"/> naming the file.
/// </summary>
internal static class SysfsFile
{
    /// <summary>The file's text without the trailing newline; null when the file does not exist.</summary>
    public static string? TryReadText(string path)
    {
        try
        {
            return HostFile.TryReadText(path, HostFileKind.KernelAttribute)?.TrimEnd('\n', '\r', ' ', '\t');
        }
        catch (IOException e)
        {
            Throw(path, ErrorText.Of(e, path), e);
            return null;
        }
    }

    public static string ReadText(string path) =>
        TryReadText(path) ?? throw new TopologyDiscoveryException(path, "is missing");

    public static int ReadInt(string path) => ParseInt(path, ReadText(path));

    /// <summary>The integer in the file, or <paramref name="whenMissing"/> when the file does not exist.</summary>
    public static int ReadIntOrDefault(string path, int whenMissing)
    {
        string? text = TryReadText(path);
        return text is null ? whenMissing : ParseInt(path, text);
    }

    public static long ReadLong(string path)
    {
        string text = ReadText(path);
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
        {
            Throw(path, $"holds \"{Escape(text)}\", expected a non-negative integer");
        }
        return value;
    }

    /// <summary>A cpulist file (<c>0-3,8</c>); null when the file does not exist.</summary>
    public static CpuSet? TryReadCpuList(string path)
    {
        string? text = TryReadText(path);
        if (text is null)
        {
            return null;
        }
        if (!CpuSet.TryParse(text, out CpuSet set, out CpuListError error))
        {
            Throw(path, $"is not a valid cpulist: {error}");
        }
        return set;
    }

    public static int ParseInt(string path, string text)
    {
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
        {
            Throw(path, $"holds \"{Escape(text)}\", expected an integer");
        }
        return value;
    }

    /// <summary>Makes file content printable in an error message (<c>\xNN</c> escapes, at most 64 characters).</summary>
    public static string Escape(string text) => ErrorText.Quote(text);

    [DoesNotReturn]
    public static void Throw(string path, string problem, Exception? inner = null) =>
        throw new TopologyDiscoveryException(path, problem, inner);
}
