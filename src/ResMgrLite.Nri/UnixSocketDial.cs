using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace ResMgrLite.Nri;

/// <summary>
/// Connects a socket to a unix socket path with socket(2) and connect(2) and wraps the
/// descriptor in a <see cref="Socket"/>, as the pre-launched path wraps the inherited one.
/// <see cref="Socket.Connect(EndPoint)"/> and <see cref="Socket.ConnectAsync(EndPoint, CancellationToken)"/>
/// would do the same work, but their connect telemetry (activities with their events) links a part
/// of the diagnostic-source machinery into the static binary (docs/benchmarks.md, about 29 KB), so
/// every connect of the product goes through here: NRI, the journal, the metrics endpoint's probe
/// of a stale socket file. The socket is non-blocking while connecting, so a
/// listener whose queue is full is reported as busy instead of stalling the caller; the returned
/// socket is blocking, as one from <c>new Socket(…)</c> is.
/// </summary>
internal static partial class UnixSocketDial
{
    private const int AddressFamilyUnix = 1;
    private const int StreamSocket = 1;
    private const int DatagramSocket = 2;
    private const int NonBlocking = 0x800;
    private const int CloseOnExec = 0x80000;
    private const int GetFlags = 3;     // F_GETFL
    private const int SetFlags = 4;     // F_SETFL

    // struct sockaddr_un: a 16-bit family, then sun_path[108] holding the path and its terminating NUL.
    private const int PathOffset = 2;
    private const int PathCapacity = 108;

    /// <summary>The longest path a unix socket address holds, in UTF-8 bytes.</summary>
    public const int MaxPathBytes = PathCapacity - 1;

    /// <summary>Connects a stream socket to <paramref name="path"/> (at most <see cref="MaxPathBytes"/> UTF-8 bytes).</summary>
    /// <exception cref="SocketException">socket(2) or connect(2) failed; the code says why.</exception>
    public static Socket Connect(string path) => Connect(path, StreamSocket);

    /// <summary>Connects a datagram socket to <paramref name="path"/>: later sends go there.</summary>
    /// <exception cref="SocketException">socket(2) or connect(2) failed; the code says why.</exception>
    public static Socket ConnectDatagram(string path) => Connect(path, DatagramSocket);

    private static Socket Connect(string path, int socketType)
    {
        ArgumentNullException.ThrowIfNull(path);
        Span<byte> address = stackalloc byte[PathOffset + PathCapacity];
        address.Clear();
        int pathBytes = Encoding.UTF8.GetBytes(path, address[PathOffset..^1]);
        MemoryMarshal.Write(address, (ushort)AddressFamilyUnix);

        int fd = OpenSocket(AddressFamilyUnix, socketType | NonBlocking | CloseOnExec, 0);
        if (fd < 0)
        {
            throw new SocketException((int)ErrorOf(Marshal.GetLastPInvokeError()));
        }
        if (ConnectSocket(fd, ref MemoryMarshal.GetReference(address), (uint)(PathOffset + pathBytes + 1)) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            Close(fd);
            throw new SocketException((int)ErrorOf(errno));
        }
        if (!TryMakeBlocking(fd, out int failure))
        {
            Close(fd);
            throw new SocketException((int)ErrorOf(failure));
        }
        return new Socket(new SafeSocketHandle(fd, ownsHandle: true));
    }

    /// <summary>
    /// Clears O_NONBLOCK on the descriptor itself, before it is wrapped in a <see cref="Socket"/>:
    /// .NET takes a descriptor as it finds it, and on a non-blocking one its synchronous calls wait
    /// through its own event engine (and time out) instead of blocking in the kernel, which the
    /// NRI stream's reader thread relies on (Transport/BlockingSocketStream).
    /// </summary>
    /// <param name="errno">Set when fcntl(2) failed.</param>
    public static bool TryMakeBlocking(int fd, out int errno)
    {
        int flags = Control(fd, GetFlags, 0);
        if (flags < 0 || ((flags & NonBlocking) != 0 && Control(fd, SetFlags, flags & ~NonBlocking) < 0))
        {
            errno = Marshal.GetLastPInvokeError();
            return false;
        }
        errno = 0;
        return true;
    }

    /// <summary>The socket layer's name for a socket(2)/connect(2)/fcntl(2) errno on a unix socket (Linux numbers).</summary>
    public static SocketError ErrorOf(int errno) => errno switch
    {
        9 or 88 => SocketError.NotSocket,                    // EBADF, ENOTSOCK: not an open socket
        1 or 13 => SocketError.AccessDenied,                 // EPERM, EACCES
        2 or 20 => SocketError.AddressNotAvailable,          // ENOENT, ENOTDIR: what the socket layer reports for a missing path
        4 => SocketError.Interrupted,                        // EINTR
        11 => SocketError.WouldBlock,                        // EAGAIN: the listener's queue is full
        12 or 105 => SocketError.NoBufferSpaceAvailable,     // ENOMEM, ENOBUFS
        23 or 24 => SocketError.TooManyOpenSockets,          // ENFILE, EMFILE
        91 => SocketError.ProtocolType,                      // EPROTOTYPE: a socket of the other type at that path
        97 => SocketError.AddressFamilyNotSupported,         // EAFNOSUPPORT
        110 => SocketError.TimedOut,                         // ETIMEDOUT
        111 => SocketError.ConnectionRefused,                // ECONNREFUSED
        _ => SocketError.SocketError,
    };

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int OpenSocket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "connect", SetLastError = true)]
    private static partial int ConnectSocket(int fd, ref byte address, uint addressLength);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Control(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
