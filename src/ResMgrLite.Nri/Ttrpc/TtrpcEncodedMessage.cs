using System.Buffers;
using Google.Protobuf;
using ResMgrLite.Nri.Protobuf;

namespace ResMgrLite.Nri.Ttrpc;

/// <summary>Builds one ttrpc message (header + protobuf data) in a buffer that is given back on dispose.</summary>
internal readonly struct TtrpcEncodedMessage : IDisposable
{
    /// <summary>
    /// Larger messages get a buffer of their own that the GC reclaims: the shared pool would keep
    /// a multi-megabyte array for the life of the process after one large reply.
    /// </summary>
    public const int PooledMaximum = 64 * 1024;

    /// <summary>Tag of <c>Response.payload</c>: field 2, length-delimited (docs/nri-rules.md §3.4).</summary>
    private const byte ResponsePayloadTag = (2 << 3) | 2;

    private readonly byte[] _buffer;
    private readonly bool _pooled;

    private TtrpcEncodedMessage(byte[] buffer, bool pooled, int length)
    {
        _buffer = buffer;
        _pooled = pooled;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    /// <summary>
    /// Encodes <paramref name="body"/> behind a header. A body over the ttrpc maximum is refused
    /// here, as ttrpc v1.2.6+ senders do (docs/nri-rules.md §3.1), because the receiver would discard it.
    /// </summary>
    public static TtrpcEncodedMessage Create(uint streamId, TtrpcMessageType type, IMessage body)
    {
        int size = CheckSize(body.CalculateSize());
        TtrpcEncodedMessage message = Allocate(streamId, type, size);
        body.WriteTo(message._buffer.AsSpan(TtrpcFrameReader.HeaderLength, size));
        return message;
    }

    /// <summary>
    /// A successful Response carrying <paramref name="reply"/>: the payload field only, no status,
    /// so an empty reply is a 0-byte Response, as the Go server sends it (docs/nri-rules.md §3.4). Written
    /// directly rather than through a Response object, which would copy the reply once more.
    /// </summary>
    public static TtrpcEncodedMessage CreateResponse(uint streamId, IMessage reply)
    {
        int replySize = reply.CalculateSize();
        int size = replySize == 0 ? 0 : CheckSize(1 + CodedOutputStream.ComputeLengthSize(replySize) + replySize);
        TtrpcEncodedMessage message = Allocate(streamId, TtrpcMessageType.Response, size);
        if (replySize > 0)
        {
            Span<byte> data = message._buffer.AsSpan(TtrpcFrameReader.HeaderLength, size);
            data[0] = ResponsePayloadTag;
            int offset = 1 + ProtobufVarint.Write(data[1..], (uint)replySize);
            reply.WriteTo(data[offset..]);
        }

        return message;
    }

    public void Dispose()
    {
        if (_pooled)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }
    }

    private static int CheckSize(int size)
    {
        if (size > TtrpcFrameReader.MaxDataLength)
        {
            throw new TtrpcStatusException(
                TtrpcStatusCode.ResourceExhausted,
                $"oversized message: {size} bytes, the ttrpc maximum is {TtrpcFrameReader.MaxDataLength}");
        }

        return size;
    }

    private static TtrpcEncodedMessage Allocate(uint streamId, TtrpcMessageType type, int dataSize)
    {
        int length = TtrpcFrameReader.HeaderLength + dataSize;
        bool pooled = length <= PooledMaximum;
        byte[] buffer = pooled ? ArrayPool<byte>.Shared.Rent(length) : GC.AllocateUninitializedArray<byte>(length);
        TtrpcFrameReader.WriteHeader(buffer, new TtrpcMessageHeader((uint)dataSize, streamId, type, 0));
        return new TtrpcEncodedMessage(buffer, pooled, length);
    }
}
