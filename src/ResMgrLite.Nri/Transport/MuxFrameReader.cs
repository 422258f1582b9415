using System.Buffers;
using System.Buffers.Binary;

namespace ResMgrLite.Nri.Transport;

/// <summary>
/// Cuts NRI connection-multiplexer frames (spec/nri-protocol.md §2.1) out of the trunk byte stream.
/// <code>
/// +-----------------+----------------------+------------------------------+
/// | ConnID (u32 BE) | PayloadLength (u32 BE)| Payload (PayloadLength bytes)|
/// +-----------------+----------------------+------------------------------+
///  0                 4                      8
/// </code>
/// </summary>
internal static class MuxFrameReader
{
    public const int HeaderLength = 8;
    private const int ConnIdOffset = 0;
    private const int PayloadLengthOffset = 4;

    /// <summary>
    /// Largest payload accepted in one frame: what the NRI v0.6.1 writer can produce (1 &lt;&lt; 24,
    /// spec §2.1). The Go reader trusts any length; we refuse larger ones before buffering them.
    /// </summary>
    public const int MaxPayloadLength = 1 << 24;

    /// <summary>
    /// Reads one complete frame. Returns false and leaves <paramref name="buffer"/> untouched while
    /// the header or the payload is incomplete. Throws <see cref="ProtocolViolationException"/> as
    /// soon as the header declares more than <see cref="MaxPayloadLength"/>, without waiting for the body.
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out uint connId, out ReadOnlySequence<byte> payload)
    {
        payload = default;
        connId = 0;
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

        if (buffer.Length - HeaderLength < length)
        {
            return false;
        }

        connId = id;
        payload = buffer.Slice(HeaderLength, length);
        buffer = buffer.Slice(payload.End);
        return true;
    }
}
