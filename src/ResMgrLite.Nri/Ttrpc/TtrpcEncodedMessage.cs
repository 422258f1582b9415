using System.Buffers;
using Google.Protobuf;

namespace ResMgrLite.Nri.Ttrpc;

/// <summary>Builds one ttrpc message (header + protobuf data) in a pooled buffer.</summary>
internal readonly struct TtrpcEncodedMessage : IDisposable
{
    private readonly byte[] _rented;

    private TtrpcEncodedMessage(byte[] rented, int length)
    {
        _rented = rented;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlyMemory<byte> Memory => _rented.AsMemory(0, Length);

    /// <summary>
    /// Encodes <paramref name="body"/> behind a header. A body over the ttrpc maximum is refused
    /// here, as ttrpc v1.2.6+ senders do (spec §3.1), because the receiver would discard it.
    /// </summary>
    public static TtrpcEncodedMessage Create(uint streamId, TtrpcMessageType type, IMessage body)
    {
        int size = body.CalculateSize();
        if (size > TtrpcFrameReader.MaxDataLength)
        {
            throw new TtrpcStatusException(
                TtrpcStatusCode.ResourceExhausted,
                $"oversized message: {size} bytes, the ttrpc maximum is {TtrpcFrameReader.MaxDataLength}");
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent(TtrpcFrameReader.HeaderLength + size);
        TtrpcFrameReader.WriteHeader(rented, new TtrpcMessageHeader((uint)size, streamId, type, 0));
        body.WriteTo(rented.AsSpan(TtrpcFrameReader.HeaderLength, size));
        return new TtrpcEncodedMessage(rented, TtrpcFrameReader.HeaderLength + size);
    }

    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<byte>.Shared.Return(_rented);
        }
    }
}
