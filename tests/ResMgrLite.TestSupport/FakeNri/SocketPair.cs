using System.ComponentModel;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace ResMgrLite.TestSupport.FakeNri;

/// <summary>
/// socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC), exactly what the runtime creates for a
/// pre-launched plugin (docs/nri-rules.md §1.3).
/// </summary>
internal static class SocketPair
{
    private const int AddressFamilyUnix = 1;
    private const int SocketTypeStream = 1;
    private const int SocketCloseOnExec = 0x80000;

    /// <summary>Two connected raw fds; the caller owns both.</summary>
    /// <param name="closeOnExec">False when a child process is to inherit one of them (as fd 3, say).</param>
    public static (int First, int Second) CreateDescriptors(bool closeOnExec = true)
    {
        int[] fds = new int[2];
        if (NativeMethods.socketpair(AddressFamilyUnix, SocketTypeStream | (closeOnExec ? SocketCloseOnExec : 0), 0, fds) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "socketpair failed");
        }

        return (fds[0], fds[1]);
    }

    /// <summary>Two connected sockets, each owning its fd.</summary>
    public static (Socket Runtime, Socket Plugin) Create()
    {
        (int first, int second) = CreateDescriptors();
        return (FromDescriptor(first), FromDescriptor(second));
    }

    public static Socket FromDescriptor(int fd) => new(new SafeSocketHandle((IntPtr)fd, ownsHandle: true));

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
#pragma warning disable SYSLIB1054 // test-only helper; the blittable int[] marshals fine without source generation
        internal static extern int socketpair(int domain, int type, int protocol, [Out] int[] sv);
#pragma warning restore SYSLIB1054
    }
}
