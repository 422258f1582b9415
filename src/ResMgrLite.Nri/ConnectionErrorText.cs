using System.Globalization;
using System.Net.Sockets;
using Google.Protobuf;
using ResMgrLite.Nri.Protobuf;
using ResMgrLite.Nri.Ttrpc;

namespace ResMgrLite.Nri;

/// <summary>
/// Why an NRI connection or call failed, in the project's words. The socket layer's own texts
/// ("Connection reset by peer", "Transport endpoint is not connected", or a resource key in a build
/// without resource strings) say little to an operator, so they are never shown: a socket error is
/// described by its code, and the protocol layer's own exceptions keep their messages.
/// </summary>
internal static class ConnectionErrorText
{
    public static string Of(Exception exception) => exception switch
    {
        SocketException socket => OfSocket(socket),
        IOException { InnerException: SocketException socket } => OfSocket(socket),
        ObjectDisposedException => "the connection was already closed",
        OperationCanceledException => "the operation was cancelled",
        InvalidProtocolBufferException => "a message could not be decoded (malformed protobuf)",
        // Thrown by this layer with its own words (or, for a status, the runtime's).
        IOException or TimeoutException or ProtocolViolationException or TtrpcStatusException or ProtobufFormatException => exception.Message,
        // A defect: its type and message help whoever reads the log to report it.
        _ => $"unexpected {exception.GetType().Name}: {exception.Message}",
    };

    public static string OfSocket(SocketException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.SocketErrorCode switch
        {
            SocketError.ConnectionReset => "the runtime reset the connection",
            SocketError.Shutdown or SocketError.NotConnected or SocketError.ConnectionAborted or SocketError.Disconnecting => "the runtime closed the connection",
            SocketError.ConnectionRefused => "nothing is listening on the socket",
            SocketError.AccessDenied => "permission denied",
            SocketError.AddressNotAvailable => "the socket path does not exist",
            SocketError.TimedOut => "timed out",
            SocketError.NotSocket => "the descriptor is not an open socket",
            SocketError.OperationAborted or SocketError.Interrupted => "the socket was closed during the call",
            SocketError.TooManyOpenSockets => "too many open files",
            SocketError.NoBufferSpaceAvailable => "the system is out of socket buffer memory",
            SocketError.InvalidArgument => "the socket rejected the call as invalid",
            SocketError.MessageSize => "the message is too long for the socket",
            SocketError.AddressFamilyNotSupported or SocketError.ProtocolNotSupported or SocketError.SocketNotSupported or SocketError.OperationNotSupported => "unix sockets of this kind are not supported here",
            _ => string.Create(CultureInfo.InvariantCulture, $"socket error {exception.NativeErrorCode}"),
        };
    }
}
