using System.Buffers;
using System.Buffers.Binary;

namespace ResMgrLite.Nri.Ttrpc;

/// <summary>
/// Cuts ttrpc messages (docs/nri-rules.md §3.1) out of one logical connection's byte stream.
/// <code>
/// +---------------------+-------------------+-----------+-----------+-----------------+
/// | DataLength (u32 BE) | StreamID (u32 BE) | Type (u8) | Flags (u8)| Data            |
/// +---------------------+-------------------+-----------+-----------+-----------------+
///  0                     4                   8           9           10
/// </code>
/// </summary>
internal static class TtrpcFrameReader
{
    public const int HeaderLength = 10;
    private const int DataLengthOffset = 0;
    private const int StreamIdOffset = 4;
    private const int TypeOffset = 8;
    private const int FlagsOffset = 9;

    /// <summary>ttrpc's <c>messageLengthMax</c>, 4 MiB (docs/nri-rules.md §3.1).</summary>
    public const int MaxDataLength = 4 << 20;

    /// <summary>
    /// Reads one message. While incomplete returns <see cref="TtrpcReadStatus.Incomplete"/> and
    /// leaves <paramref name="buffer"/> untouched. The declared length is checked before the body
    /// is waited for; an unknown message type is a protocol violation.
    /// </summary>
    public static TtrpcReadStatus TryReadMessage(ref ReadOnlySequence<byte> buffer, out TtrpcMessageHeader header, out ReadOnlySequence<byte> data) =>
        TryReadMessage(ref buffer, long.MaxValue, out header, out data);

    /// <summary>
    /// As above, for a connection that holds at most <paramref name="holdLimit"/> unread bytes: a
    /// message that could not wait there whole (header and data over the limit) is
    /// <see cref="TtrpcReadStatus.TooLargeToHold"/> with only its header consumed, for the caller
    /// to take out of the connection as it arrives.
    /// </summary>
    public static TtrpcReadStatus TryReadMessage(ref ReadOnlySequence<byte> buffer, long holdLimit, out TtrpcMessageHeader header, out ReadOnlySequence<byte> data)
    {
        header = default;
        data = default;
        if (buffer.Length < HeaderLength)
        {
            return TtrpcReadStatus.Incomplete;
        }

        Span<byte> raw = stackalloc byte[HeaderLength];
        buffer.Slice(0, HeaderLength).CopyTo(raw);
        uint length = BinaryPrimitives.ReadUInt32BigEndian(raw[DataLengthOffset..]);
        uint streamId = BinaryPrimitives.ReadUInt32BigEndian(raw[StreamIdOffset..]);
        byte type = raw[TypeOffset];
        if (type is < (byte)TtrpcMessageType.Request or > (byte)TtrpcMessageType.Data)
        {
            ThrowHelper.ThrowInvalidTtrpcType(streamId, type);
        }

        if (length > MaxDataLength)
        {
            header = new TtrpcMessageHeader(length, streamId, (TtrpcMessageType)type, raw[FlagsOffset]);
            buffer = buffer.Slice(HeaderLength);
            return TtrpcReadStatus.Oversized;
        }

        if (HeaderLength + (long)length > holdLimit)
        {
            header = new TtrpcMessageHeader(length, streamId, (TtrpcMessageType)type, raw[FlagsOffset]);
            buffer = buffer.Slice(HeaderLength);
            return TtrpcReadStatus.TooLargeToHold;
        }

        if (buffer.Length - HeaderLength < length)
        {
            return TtrpcReadStatus.Incomplete;
        }

        header = new TtrpcMessageHeader(length, streamId, (TtrpcMessageType)type, raw[FlagsOffset]);
        data = buffer.Slice(HeaderLength, length);
        buffer = buffer.Slice(data.End);
        return TtrpcReadStatus.Message;
    }

    public static void WriteHeader(Span<byte> destination, in TtrpcMessageHeader header)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination[DataLengthOffset..], header.DataLength);
        BinaryPrimitives.WriteUInt32BigEndian(destination[StreamIdOffset..], header.StreamId);
        destination[TypeOffset] = (byte)header.Type;
        destination[FlagsOffset] = header.Flags;
    }
}
