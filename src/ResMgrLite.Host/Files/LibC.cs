using System.Runtime.InteropServices;

namespace ResMgrLite.Host.Files;

/// <summary>
/// The few libc calls .NET does not offer: opening without blocking (FIFOs) and without following
/// symbolic links, opening relative to a directory descriptor, and asking a file's type before it
/// is opened. Bound at link time in the static binary (DirectPInvoke libc).
/// </summary>
internal static unsafe partial class LibC
{
    public const int CurrentDirectory = -100;   // AT_FDCWD
    public const int NoFollowLink = 0x100;      // AT_SYMLINK_NOFOLLOW
    public const int EmptyPath = 0x1000;        // AT_EMPTY_PATH: statx of the descriptor itself

    public const int ReadOnly = 0;              // O_RDONLY
    public const int WriteOnly = 1;             // O_WRONLY
    public const int Create = 0x40;             // O_CREAT
    public const int NoControllingTerminal = 0x100; // O_NOCTTY
    public const int Truncate = 0x200;          // O_TRUNC
    public const int Append = 0x400;            // O_APPEND
    public const int NonBlocking = 0x800;       // O_NONBLOCK
    public const int CloseOnExec = 0x80000;     // O_CLOEXEC
    public const int PathOnly = 0x200000;       // O_PATH

    // O_DIRECTORY and O_NOFOLLOW are the two flags whose values differ between x86-64 (asm-generic) and arm64.
    public static readonly int DirectoryOnly = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x4000 : 0x10000;
    public static readonly int NoFollow = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x8000 : 0x20000;

    public const int Interrupted = 4;           // EINTR
    public const int NotFound = 2;              // ENOENT
    public const int NotDirectory = 20;         // ENOTDIR
    public const int TooManyLinks = 40;         // ELOOP
    public const int NotImplemented = 38;       // ENOSYS

    private const uint TypeAndSize = 0x1 | 0x200; // STATX_TYPE | STATX_SIZE
    private const int StatxSize = 256;
    private const int ModeOffset = 28;          // stx_mode (u16), the same on every architecture
    private const int SizeOffset = 40;          // stx_size (u64)

    /// <summary>The file type bits of st_mode (S_IFMT), or an errno.</summary>
    public static int Stat(int directory, string path, int flags, out FileType type, out long size)
    {
        byte* buffer = stackalloc byte[StatxSize];
        type = FileType.Unknown;
        size = 0;
        if (statx(directory, path, flags, TypeAndSize, buffer) != 0)
        {
            return Marshal.GetLastPInvokeError();
        }
        type = (FileType)(*(ushort*)(buffer + ModeOffset) & 0xF000);
        size = (long)Math.Min(*(ulong*)(buffer + SizeOffset), long.MaxValue);
        return 0;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int OpenAt(int directory, string path, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int directory, string path, int flags, uint mask, byte* buffer);
}
