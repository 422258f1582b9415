using System.Net.Sockets;

namespace ResMgrLite.Nri;

/// <summary>The identity a runtime hands a pre-launched plugin (spec §1.3).</summary>
/// <param name="SocketFd">The already-connected socket, normally fd 3.</param>
public sealed record NriPreLaunchedPlugin(int SocketFd, string Name, string Index)
{
    /// <summary>Wraps the inherited fd; the returned socket owns it.</summary>
    public Socket OpenSocket() => new(new SafeSocketHandle((IntPtr)SocketFd, ownsHandle: true));
}
