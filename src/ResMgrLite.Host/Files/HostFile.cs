using System.Globalization;
using System.Text;

namespace ResMgrLite.Host.Files;

/// <summary>
/// Reads files from the host without trusting them: the path is examined before it is opened (a
/// device is never opened: opening some has side effects), only regular files are read, the open
/// never blocks (a FIFO would wait for a writer forever), a symbolic link is followed only where
/// the kind allows it, and no more than the kind's limit is read (a link to /dev/zero or a huge
/// file ends with an error instead of filling memory). Every failure is a
/// <see cref="HostFileException"/> (or <see cref="FileNotFoundException"/>) whose message names
/// the file and says what is wrong.
/// </summary>
internal static class HostFile
{
    public const int ConfigurationLimit = 1 << 20;
    public const int StateLimit = 64 << 20;
    public const int KernelAttributeLimit = 64 << 10;
    public const int MountTableLimit = 16 << 20;
    public const int InputDocumentLimit = 16 << 20;

    public static int LimitOf(HostFileKind kind) => kind switch
    {
        HostFileKind.Configuration => ConfigurationLimit,
        HostFileKind.State => StateLimit,
        HostFileKind.MountTable => MountTableLimit,
        HostFileKind.InputDocument => InputDocumentLimit,
        _ => KernelAttributeLimit,
    };

    /// <summary>The file's bytes; null when it (or a directory on its path) does not exist.</summary>
    public static byte[]? TryReadBytes(string path, HostFileKind kind)
    {
        ArgumentNullException.ThrowIfNull(path);
        CheckPath(path);
        int fd = OpenChecked(LibC.CurrentDirectory, path, path, LibC.ReadOnly | LibC.NoControllingTerminal, kind is HostFileKind.Configuration or HostFileKind.InputDocument, kind);
        if (fd < 0)
        {
            return null;
        }
        try
        {
            return ReadAll(fd, path, kind);
        }
        finally
        {
            _ = LibC.Close(fd);
        }
    }

    /// <summary>The file's bytes; <see cref="FileNotFoundException"/> when it does not exist.</summary>
    public static byte[] ReadBytes(string path, HostFileKind kind) =>
        TryReadBytes(path, kind) ?? throw new FileNotFoundException($"{path}: does not exist", path);

    /// <summary>The file's text (UTF-8); null when it does not exist.</summary>
    public static string? TryReadText(string path, HostFileKind kind) =>
        TryReadBytes(path, kind) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;

    public static string ReadText(string path, HostFileKind kind) => Encoding.UTF8.GetString(ReadBytes(path, kind));

    /// <summary>
    /// Opens a file for writing without ever blocking (a FIFO with no reader would wait forever) and
    /// without writing into anything but the kind of file <paramref name="target"/> allows; creates
    /// a missing file (mode 0644). The path is examined first, so a device is not even opened where
    /// it is not allowed, and the opened descriptor is checked again.
    /// </summary>
    public static FileStream OpenForWriting(string path, WriteTarget target)
    {
        ArgumentNullException.ThrowIfNull(path);
        CheckPath(path);
        bool operatorFile = target == WriteTarget.OperatorFile;
        int error = LibC.Stat(LibC.CurrentDirectory, path, operatorFile ? 0 : LibC.NoFollowLink, out FileType type, out _);
        if (error == 0)
        {
            RequireWritable(path, type, operatorFile);
        }
        int flags = LibC.WriteOnly | LibC.Create | LibC.NonBlocking | LibC.CloseOnExec | LibC.NoControllingTerminal
            | (operatorFile ? LibC.Append : LibC.Truncate | LibC.NoFollow);
        int fd = LibC.Open(path, flags, 0x1A4);
        if (fd < 0)
        {
            error = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            throw error == LibC.TooManyLinks && !operatorFile
                ? new HostFileException(path, HostFileProblem.NotARegularFile, "is a symbolic link, which is not followed here: refused")
                : new HostFileException(path, HostFileProblem.SystemError, $"cannot be opened for writing: {ErrorText.OfErrno(error)}", error);
        }
        var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
        if (LibC.Stat(fd, "", LibC.EmptyPath, out type, out _) == 0)
        {
            try
            {
                RequireWritable(path, type, operatorFile);
            }
            catch
            {
                handle.Dispose();
                throw;
            }
        }
        return new FileStream(handle, FileAccess.Write, bufferSize: 0);
    }

    private static void RequireWritable(string path, FileType type, bool operatorFile)
    {
        if (type != FileType.Regular && !(operatorFile && type == FileType.CharacterDevice))
        {
            throw new HostFileException(path, HostFileProblem.NotARegularFile, type switch
            {
                FileType.Directory => "is a directory, not a file",
                FileType.Fifo => "is a named pipe (FIFO): refused, writing to it could wait forever",
                FileType.SymbolicLink => "is a symbolic link, which is not followed here: refused",
                _ => "is not a regular file: refused",
            });
        }
    }

    /// <summary>
    /// Opens <paramref name="name"/> relative to <paramref name="directory"/> (or the working
    /// directory) after checking that it is a regular file, and checks the opened descriptor again
    /// (the file may have been replaced in between). Returns -1 when the file does not exist.
    /// </summary>
    internal static int OpenChecked(int directory, string name, string shownPath, int access, bool followLink, HostFileKind kind)
    {
        int error = LibC.Stat(directory, name, followLink ? 0 : LibC.NoFollowLink, out FileType type, out long size);
        if (error is LibC.NotFound or LibC.NotDirectory)
        {
            return -1;
        }
        if (error == 0)
        {
            RequireRegular(shownPath, type, size, kind);
        }
        else if (error != LibC.NotImplemented)
        {
            throw new HostFileException(shownPath, HostFileProblem.SystemError, $"cannot be examined: {ErrorText.OfErrno(error)}", error);
        }

        int flags = access | LibC.NonBlocking | LibC.CloseOnExec | (followLink ? 0 : LibC.NoFollow);
        int fd = LibC.OpenAt(directory, name, flags);
        if (fd < 0)
        {
            error = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (error is LibC.NotFound)
            {
                return -1;
            }
            throw error == LibC.TooManyLinks && !followLink
                ? NotRegular(shownPath, FileType.SymbolicLink, kind)
                : new HostFileException(shownPath, HostFileProblem.SystemError, $"cannot be opened: {ErrorText.OfErrno(error)}", error);
        }
        if (LibC.Stat(fd, "", LibC.EmptyPath, out type, out size) == 0 && (type != FileType.Regular || size > LimitOf(kind)))
        {
            _ = LibC.Close(fd);
            RequireRegular(shownPath, type, size, kind);
        }
        return fd;
    }

    /// <summary>Reads to the end, never more than the kind's limit (procfs and sysfs sizes are not to be trusted).</summary>
    internal static unsafe byte[] ReadAll(int fd, string shownPath, HostFileKind kind)
    {
        int limit = LimitOf(kind);
        byte[] buffer = new byte[Math.Min(limit + 1, 4096)];
        int total = 0;
        while (true)
        {
            if (total == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(limit + 1L, buffer.Length * 2L));
            }
            nint read;
            fixed (byte* start = &buffer[total])
            {
                read = LibC.Read(fd, start, buffer.Length - total);
            }
            if (read < 0)
            {
                int error = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                if (error == LibC.Interrupted)
                {
                    continue;
                }
                throw new HostFileException(shownPath, HostFileProblem.SystemError, $"cannot be read: {ErrorText.OfErrno(error)}", error);
            }
            if (read == 0)
            {
                break;
            }
            total += (int)read;
            if (total > limit)
            {
                throw TooLarge(shownPath, kind);
            }
        }
        Array.Resize(ref buffer, total);
        return buffer;
    }

    internal static void CheckPath(string path)
    {
        if (path.Length == 0)
        {
            throw new HostFileException("", HostFileProblem.BadPath, "no file name was given (the path is empty)");
        }
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new HostFileException(path.Replace("\0", "\\0", StringComparison.Ordinal), HostFileProblem.BadPath, "the path holds a NUL character");
        }
    }

    private static void RequireRegular(string shownPath, FileType type, long size, HostFileKind kind)
    {
        if (type != FileType.Regular)
        {
            throw NotRegular(shownPath, type, kind);
        }
        if (size > LimitOf(kind))
        {
            throw TooLarge(shownPath, kind);
        }
    }

    internal static HostFileException NotRegular(string shownPath, FileType type, HostFileKind kind) =>
        new(shownPath, HostFileProblem.NotARegularFile, type switch
        {
            FileType.Directory => "is a directory, not a file",
            FileType.SymbolicLink => "is a symbolic link, which is not followed here",
            FileType.Fifo => "is a named pipe (FIFO): refused, reading it could wait forever",
            FileType.CharacterDevice or FileType.BlockDevice => "is a device: refused",
            FileType.Socket => "is a socket: refused",
            _ => "is not a regular file: refused",
        } + $" ({RuleOf(kind)})");

    private static HostFileException TooLarge(string shownPath, HostFileKind kind) =>
        new(shownPath, HostFileProblem.TooLarge, $"is larger than {Size(LimitOf(kind))}: refused ({RuleOf(kind)})");

    private static string RuleOf(HostFileKind kind) => kind switch
    {
        HostFileKind.Configuration => $"a configuration file must be a regular file of at most {Size(ConfigurationLimit)}; a ResMgrLite configuration is a few KiB",
        HostFileKind.State => $"the state file must be a regular file of at most {Size(StateLimit)}, never a link",
        HostFileKind.MountTable => $"the mount table must be a regular file of at most {Size(MountTableLimit)}",
        HostFileKind.InputDocument => $"an input document must be a regular file of at most {Size(InputDocumentLimit)}",
        _ => $"a sysfs, procfs or cgroup attribute must be a regular file of at most {Size(KernelAttributeLimit)}, never a link",
    };

    private static string Size(int bytes) => bytes >= 1 << 20
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes >> 20} MiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes >> 10} KiB");
}
