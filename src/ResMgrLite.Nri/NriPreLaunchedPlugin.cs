using System.Net.Sockets;

namespace ResMgrLite.Nri;

/// <summary>The identity a runtime hands a pre-launched plugin (docs/nri-rules.md §1.3).</summary>
/// <param name="SocketFd">The already-connected socket, normally fd 3.</param>
internal sealed record NriPreLaunchedPlugin(int SocketFd, string Name, string Index)
{
    /// <summary>Wraps the inherited fd; the returned socket owns it.</summary>
    /// <exception cref="IOException">The fd is not an open socket; the message says so in words.</exception>
    public Socket OpenSocket()
    {
        // A runtime may hand the descriptor over non-blocking; the NRI stream blocks in recv(2).
        if (!UnixSocketDial.TryMakeBlocking(SocketFd, out int errno))
        {
            throw new IOException($"fd {SocketFd} is not a usable socket: {ConnectionErrorText.OfSocket(new SocketException((int)UnixSocketDial.ErrorOf(errno)))}");
        }
        try
        {
            return new(new SafeSocketHandle((IntPtr)SocketFd, ownsHandle: true));
        }
        catch (SocketException e)
        {
            throw new IOException($"fd {SocketFd} is not a usable socket: {ConnectionErrorText.OfSocket(e)}", e);
        }
    }
}
