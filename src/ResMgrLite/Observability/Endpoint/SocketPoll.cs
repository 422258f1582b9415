using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace ResMgrLite.Observability.Endpoint;

/// <summary>
/// poll(2) over a few sockets, called directly: <c>Socket.Select</c> copies through lists and
/// brings select and poll paths of its own into the binary for what is one system call here.
/// </summary>
internal sealed class SocketPoll(int capacity)
{
    private const short Readable = 0x1;             // POLLIN
    private const short ErrorOrHangUp = 0x8 | 0x10; // POLLERR | POLLHUP: a read then reports it
    private const int Interrupted = 4;              // EINTR

    private readonly PollDescriptor[] _descriptors = new PollDescriptor[capacity];
    private int _count;

    [StructLayout(LayoutKind.Sequential)]
    private struct PollDescriptor
    {
        public int Descriptor;
        public short Events;
        public short ReturnedEvents;
    }

    public void Clear() => _count = 0;

    /// <summary>Watches <paramref name="socket"/> for reading; its index is the order of the calls.</summary>
    public void Add(Socket socket) =>
        _descriptors[_count++] = new PollDescriptor { Descriptor = (int)socket.Handle, Events = Readable };

    /// <summary>Waits up to <paramref name="timeoutMilliseconds"/>; false on a failure other than an interrupting signal.</summary>
    public bool Wait(int timeoutMilliseconds, out int errno)
    {
        errno = 0;
        if (Poll(_descriptors, (nuint)_count, timeoutMilliseconds) >= 0)
        {
            return true;
        }
        errno = Marshal.GetLastPInvokeError();
        if (errno == Interrupted)
        {
            Array.Clear(_descriptors);
            return true;
        }
        return false;
    }

    /// <summary>True when the socket added as number <paramref name="index"/> has data, an error or a hang-up to read.</summary>
    public bool IsReadable(int index) => (_descriptors[index].ReturnedEvents & (Readable | ErrorOrHangUp)) != 0;

    // DllImport, not LibraryImport: a blittable array needs no marshalling stub, and this assembly
    // has no unsafe code. Bound at link time in the static binary (DirectPInvoke libc).
    [DllImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static extern int Poll([In, Out] PollDescriptor[] descriptors, nuint count, int timeoutMilliseconds);
}
