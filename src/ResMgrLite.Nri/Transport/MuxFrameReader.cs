using System.Buffers;
using System.Buffers.Binary;

namespace ResMgrLite.Nri.Transport;

/// <summary>
/// Reads NRI connection-multiplexer frame headers (docs/nri-rules.md §2.1) from the trunk byte stream.
/// <code>
/// +-----------------+----------------------+------------------------------+
/// | ConnID (u32 BE) | PayloadLength (u32 BE)| Payload (PayloadLength bytes)|
/// +-----------------+----------------------+------------------------------+
///  0                 4                      8
/// </code>
/// The payload is not waited for: the trunk passes it on as it arrives, so a frame of several
/// megabytes is never held twice (once here, once in its logical connection).
/// </summary>
internal static class MuxFrameReader
{
    public const int HeaderLength = 8;
    private const int ConnIdOffset = 0;
    private const int PayloadLengthOffset = 4;

    /// <summary>
    /// Largest payload accepted in one frame: what the NRI v0.6.1 writer can produce (1 &lt;&lt; 24,
    /// docs/nri-rules.md §2.1). The Go reader trusts any length; we refuse larger ones at the header.
    /// </summary>
    public const int MaxPayloadLength = 1 << 24;

    /// <summary>
    /// Reads one frame header. Returns false and leaves <paramref name="buffer"/> untouched while
    /// fewer than <see cref="HeaderLength"/> bytes are there. Throws
    /// <see cref="ProtocolViolationException"/> when the header declares more than <see cref="MaxPayloadLength"/>.
    /// </summary>
    public static bool TryReadHeader(ref ReadOnlySequence<byte> buffer, out uint connId, out int payloadLength)
    {
        connId = 0;
        payloadLength = 0;
        if (buffer.Length < HeaderLength)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[HeaderLength];
        buffer.Slice(0, HeaderLength).CopyTo(header);
        uint id = BinaryPrimitives.ReadUInt32BigEndian(header[ConnIdOffset..]);
        uint length = BinaryPrimitives.ReadUInt32BigEndian(header[PayloadLengthOffset..]);
        if (length > MaxPayloadLength)
        {
            ThrowHelper.ThrowMuxFrameTooLarge(id, length, MaxPayloadLength);
        }

        connId = id;
        payloadLength = (int)length;
        buffer = buffer.Slice(HeaderLength);
        return true;
    }
}
