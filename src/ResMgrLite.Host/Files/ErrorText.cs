using System.Globalization;
using ResMgrLite.Engine;

namespace ResMgrLite.Host.Files;

/// <summary>
/// Why an operation on a host file failed, in the project's words: errno values, and the .NET I/O
/// exceptions caught at the boundaries (whose own texts are not shown to users).
/// </summary>
internal static class ErrorText
{
    /// <summary>What went wrong with a file, for a message that already names it.</summary>
    /// <param name="path">The file, when known: an access refusal on a directory is reported as such.</param>
    public static string Of(Exception exception, string? path = null) => exception switch
    {
        HostFileException host => host.Reason,
        FileNotFoundException => "does not exist",
        DirectoryNotFoundException => "its directory does not exist",
        PathTooLongException => "the path is too long",
        // .NET reports opening a directory as a file as an access refusal.
        UnauthorizedAccessException when path is not null && Directory.Exists(path) => "is a directory, not a file",
        UnauthorizedAccessException => "permission denied",
        // On Linux the HResult of an I/O exception raised from a system call is the errno.
        IOException io when io.HResult is > 0 and < 4096 => OfErrno(io.HResult),
        IOException => "input/output error",
        _ => $"unexpected {exception.GetType().Name}",
    };

    /// <summary>Untrusted text (file content, runtime strings) made printable for a message: control and non-ASCII characters escaped, at most 64 characters.</summary>
    public static string Quote(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        const int MaxShown = 64;
        return text.Length > MaxShown ? CpuListParser.Escape(text.AsSpan(0, MaxShown)) + "..." : CpuListParser.Escape(text);
    }

    public static string OfErrno(int errno) => errno switch
    {
        1 => "operation not permitted",
        2 => "does not exist",
        5 => "input/output error",
        6 => "no such device or address",
        11 => "would block (no data available without waiting)",
        12 => "out of memory",
        13 => "permission denied",
        16 => "device or resource busy",
        17 => "already exists",
        19 => "no such device",
        20 => "a component of the path is not a directory",
        21 => "is a directory",
        22 => "invalid argument",
        23 or 24 => "too many open files",
        27 => "file too large",
        28 => "no space left on the device",
        30 => "read-only file system",
        34 => "value out of range",
        36 => "file name too long",
        38 => "not supported by this kernel",
        40 => "is a symbolic link, or too many levels of symbolic links",
        95 => "operation not supported",
        122 => "disk quota exceeded",
        _ => string.Create(CultureInfo.InvariantCulture, $"system error {errno}"),
    };
}
