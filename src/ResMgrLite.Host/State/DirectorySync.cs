using System.Runtime.InteropServices;

namespace ResMgrLite.Host.State;

/// <summary>
/// fsync(2) of a directory: after a rename the new directory entry is only durable once the
/// directory itself is synced. .NET refuses to open directories as files, hence the P/Invoke.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;           // O_RDONLY
    private const int Directory = 0x10000;    // O_DIRECTORY (Linux x86-64 and arm64)
    private const int CloseOnExec = 0x80000;  // O_CLOEXEC

    public static void Flush(string directory)
    {
        int fd;
        try
        {
            fd = open(directory, ReadOnly | Directory | CloseOnExec);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Reported like any other write failure (the caller refuses to hand out what it cannot persist).
            throw new IOException($"{directory}: cannot sync the directory: {e.Message}", e);
        }
        if (fd < 0)
        {
            throw new IOException($"{directory}: cannot open the directory to sync it (errno {Marshal.GetLastPInvokeError()})");
        }
        try
        {
            if (fsync(fd) != 0)
            {
                throw new IOException($"{directory}: fsync of the directory failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
