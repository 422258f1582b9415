using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using ResMgrLite.Nri;

namespace ResMgrLite.Observability.Logging;

/// <summary>
/// The systemd journal's native protocol: one datagram per entry to
/// <c>/run/systemd/journal/socket</c> with <c>KEY=value</c> fields (a value holding a newline goes
/// as <c>KEY\n</c>, its length as 64-bit little endian, the bytes, <c>\n</c>). Fields:
/// <c>MESSAGE</c>, <c>PRIORITY</c> (syslog numbers), <c>SYSLOG_IDENTIFIER=resmgrlite</c>, and, when
/// known, <c>RESMGRLITE_EVENT</c>, <c>RESMGRLITE_POD</c>, <c>RESMGRLITE_CONTAINER</c>
/// (<c>journalctl -t resmgrlite RESMGRLITE_POD=default/web</c>).
/// </summary>
internal sealed class JournalLogSink : ILogSink
{
    public const string DefaultSocketPath = "/run/systemd/journal/socket";
    public const string Identifier = "resmgrlite";

    // journald accepts larger datagrams only through a memfd; a log entry this long is cut.
    private const int MaxMessageBytes = 48 * 1024;

    private readonly Socket _socket;

    private JournalLogSink(Socket socket, string path)
    {
        _socket = socket;
        SocketPath = path;
    }

    public string SocketPath { get; }

    /// <summary>Connects to the journal; null with the reason when there is none (no systemd, or a container without the socket).</summary>
    public static JournalLogSink? TryOpen(string socketPath, out string? error)
    {
        error = null;
        try
        {
            return new JournalLogSink(UnixSocketDial.ConnectDatagram(socketPath), socketPath);
        }
        catch (SocketException e)
        {
            error = $"the systemd journal socket {socketPath} " + e.SocketErrorCode switch
            {
                // ENOENT comes back as AddressNotAvailable for a unix socket path.
                SocketError.AddressNotAvailable => "is not there",
                SocketError.ConnectionRefused => "refuses connections (journald is not running)",
                SocketError.AccessDenied => "cannot be used: permission denied",
                _ => $"cannot be used: {e.Message}",
            };
            return null;
        }
    }

    public bool TryWrite(in LogEntry entry, string formattedLine, out string? error)
    {
        error = null;
        try
        {
            _socket.Send(Encode(entry));
            return true;
        }
        catch (SocketException e)
        {
            error = $"the systemd journal refused an entry: {e.Message}";
            return false;
        }
    }

    /// <summary>The datagram for one entry (tests decode it).</summary>
    internal static byte[] Encode(in LogEntry entry)
    {
        using var datagram = new MemoryStream(entry.Message.Length + 160);
        string message = entry.Message;
        if (Encoding.UTF8.GetByteCount(message) > MaxMessageBytes)
        {
            message = message[..Math.Min(message.Length, MaxMessageBytes / 4)] + " [cut]";
        }
        AddField(datagram, "MESSAGE", message);
        AddField(datagram, "PRIORITY", Priority(entry.Level));
        AddField(datagram, "SYSLOG_IDENTIFIER", Identifier);
        if (entry.Event.Length > 0)
        {
            AddField(datagram, "RESMGRLITE_EVENT", entry.Event);
        }
        if (entry.Pod.Length > 0)
        {
            AddField(datagram, "RESMGRLITE_POD", entry.Pod);
        }
        if (entry.Container.Length > 0)
        {
            AddField(datagram, "RESMGRLITE_CONTAINER", entry.Container);
        }
        return datagram.ToArray();
    }

    /// <summary>syslog severities: 3 err, 4 warning, 6 info, 7 debug.</summary>
    internal static string Priority(ProtocolLogLevel level) => level switch
    {
        ProtocolLogLevel.Debug => "7",
        ProtocolLogLevel.Info => "6",
        ProtocolLogLevel.Warning => "4",
        _ => "3",
    };

    private static void AddField(MemoryStream datagram, string name, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        datagram.Write(Encoding.ASCII.GetBytes(name));
        if (value.Contains('\n', StringComparison.Ordinal))
        {
            datagram.WriteByte((byte)'\n');
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)bytes.Length);
            datagram.Write(length);
        }
        else
        {
            datagram.WriteByte((byte)'=');
        }
        datagram.Write(bytes);
        datagram.WriteByte((byte)'\n');
    }

    public void Dispose() => _socket.Dispose();
}
