using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace ResMgrLite.Nri;

/// <summary>
/// Why a unix socket path cannot be dialled, in words. The socket errors alone are misleading: a
/// missing path reads "Cannot assign requested address", and a regular file, a directory and a
/// socket nobody listens on all give "Connection refused". The path's file type tells them apart.
/// </summary>
internal static partial class SocketPathDiagnosis
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x0001;

    // struct statx: stx_mode is a u16 at byte 28 on every architecture; the whole struct is 256 bytes.
    private const int StatxSize = 256;
    private const int StatxModeOffset = 28;
    private const int FileTypeMask = 0xF000;
    private const int Socket = 0xC000;
    private const int Directory = 0x4000;
    private const int RegularFile = 0x8000;
    private const int Fifo = 0x1000;
    private const int NoSuchFile = 2;
    private const int PermissionDenied = 13;

    /// <summary>Describes a failed connect to <paramref name="path"/>; never throws.</summary>
    public static string Describe(string path, SocketException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        string? kind = FileKind(path, out int errno);
        if (errno == NoSuchFile)
        {
            return $"{path} does not exist: the runtime is not running, or its NRI socket is elsewhere or disabled";
        }

        if (errno == PermissionDenied || error.SocketErrorCode == SocketError.AccessDenied)
        {
            return $"permission denied on {path}: the runtime's NRI socket is only open to root";
        }

        if (kind is not null)
        {
            return $"{path} is {kind}, not a socket: point --socket at the runtime's NRI socket";
        }

        return error.SocketErrorCode == SocketError.ConnectionRefused
            ? $"nothing is listening on {path}: the runtime is not running or does not accept NRI plugins"
            : $"cannot connect to {path}: {ConnectionErrorText.OfSocket(error)}";
    }

    /// <summary>"a directory", "a regular file", …; null for a socket or when the type cannot be read.</summary>
    private static string? FileKind(string path, out int errno)
    {
        errno = 0;
        Span<byte> buffer = stackalloc byte[StatxSize];
        if (statx(AtFdCwd, path, 0, StatxType, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }

        int mode = MemoryMarshal.Read<ushort>(buffer[StatxModeOffset..]) & FileTypeMask;
        return mode switch
        {
            Socket => null,
            Directory => "a directory",
            RegularFile => "a regular file",
            Fifo => "a FIFO",
            _ => "a device or another special file",
        };
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int directoryFd, string path, int flags, uint mask, ref byte buffer);
}
