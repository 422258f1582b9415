using System.Buffers;
using System.Text;
using ResMgrLite.Nri.Protobuf;

namespace ResMgrLite.Nri.Ttrpc;

/// <summary>
/// The ttrpc <c>Request</c> (docs/nri-rules.md §3.4) read straight from the receive buffer: the payload stays a
/// slice of it, so a Synchronize of several megabytes is never copied. Fields: service = 1,
/// method = 2, payload = 3, timeout_nano = 4, metadata = 5 (read past: NRI does not use it).
/// </summary>
internal readonly struct TtrpcRequestEnvelope
{
    private const int ServiceField = 1;
    private const int MethodField = 2;
    private const int PayloadField = 3;
    private const int TimeoutNanoField = 4;

    /// <summary>The longest service or method name a streamed request may have before its payload.</summary>
    public const int MaxStreamedNameLength = 1024;

    private TtrpcRequestEnvelope(string service, string method, ReadOnlySequence<byte> payload, long timeoutNano)
    {
        Service = service;
        Method = method;
        Payload = payload;
        TimeoutNano = timeoutNano;
    }

    public string Service { get; }

    public string Method { get; }

    /// <summary>Valid only as long as the buffer it was read from.</summary>
    public ReadOnlySequence<byte> Payload { get; }

    /// <summary>The caller's remaining deadline in nanoseconds; 0 = none.</summary>
    public long TimeoutNano { get; }

    /// <summary>Throws <see cref="ProtobufFormatException"/> for bytes that are not a Request.</summary>
    public static TtrpcRequestEnvelope Read(ReadOnlySequence<byte> data)
    {
        string service = "";
        string method = "";
        ReadOnlySequence<byte> payload = ReadOnlySequence<byte>.Empty;
        long timeoutNano = 0;
        var reader = new ProtobufFieldReader(data);
        while (reader.TryReadTag(out int field, out ProtobufWireType wireType))
        {
            // Like generated code, a known field number with another wire type is an unknown field.
            switch ((field, wireType))
            {
                case (ServiceField, ProtobufWireType.LengthDelimited):
                    service = Encoding.UTF8.GetString(reader.ReadLengthDelimited());
                    break;
                case (MethodField, ProtobufWireType.LengthDelimited):
                    method = Encoding.UTF8.GetString(reader.ReadLengthDelimited());
                    break;
                case (PayloadField, ProtobufWireType.LengthDelimited):
                    payload = reader.ReadLengthDelimited();
                    break;
                case (TimeoutNanoField, ProtobufWireType.Varint):
                    timeoutNano = (long)reader.ReadVarint();
                    break;
                default:
                    reader.SkipField(field, wireType);
                    break;
            }
        }

        return new TtrpcRequestEnvelope(service, method, payload, timeoutNano);
    }

    /// <summary>
    /// Where the payload of a request that is still arriving begins, read from its first bytes
    /// (<paramref name="start"/>): the Go client writes service, method, payload, timeout in that
    /// order. <see cref="TtrpcPrefixStatus.Incomplete"/> while more bytes are needed;
    /// <see cref="TtrpcPrefixStatus.NotStreamable"/> for any other layout (the request is then read
    /// whole and decoded by <see cref="Read"/>, which reports what is wrong with it).
    /// </summary>
    public static TtrpcPrefixStatus TryReadPrefix(ReadOnlySequence<byte> start, long dataLength, out string service, out string method, out long payloadOffset, out long payloadLength)
    {
        try
        {
            return ReadPrefix(start, dataLength, out service, out method, out payloadOffset, out payloadLength);
        }
        catch (ProtobufFormatException)
        {
            (service, method, payloadOffset, payloadLength) = ("", "", 0, 0);
            return TtrpcPrefixStatus.NotStreamable;
        }
    }

    private static TtrpcPrefixStatus ReadPrefix(ReadOnlySequence<byte> start, long dataLength, out string service, out string method, out long payloadOffset, out long payloadLength)
    {
        service = "";
        method = "";
        payloadOffset = 0;
        payloadLength = 0;
        var reader = new SequenceReader<byte>(start);
        while (true)
        {
            if (!ProtobufVarint.TryRead(ref reader, out ulong tag))
            {
                return reader.Consumed >= dataLength ? TtrpcPrefixStatus.NotStreamable : TtrpcPrefixStatus.Incomplete;
            }

            if ((tag & 7) != (ulong)ProtobufWireType.LengthDelimited || (tag >> 3) is not (ServiceField or MethodField or PayloadField))
            {
                return TtrpcPrefixStatus.NotStreamable;
            }

            if (!ProtobufVarint.TryRead(ref reader, out ulong length))
            {
                return TtrpcPrefixStatus.Incomplete;
            }

            if (length > (ulong)(dataLength - reader.Consumed))
            {
                return TtrpcPrefixStatus.NotStreamable;
            }

            if ((tag >> 3) == PayloadField)
            {
                payloadOffset = reader.Consumed;
                payloadLength = (long)length;
                return TtrpcPrefixStatus.Found;
            }

            if (length > MaxStreamedNameLength)
            {
                return TtrpcPrefixStatus.NotStreamable;
            }

            if (reader.Remaining < (long)length)
            {
                return TtrpcPrefixStatus.Incomplete;
            }

            string name = Encoding.UTF8.GetString(reader.UnreadSequence.Slice(0, (long)length));
            reader.Advance((long)length);
            if ((tag >> 3) == ServiceField)
            {
                service = name;
            }
            else
            {
                method = name;
            }
        }
    }

    /// <summary>
    /// The timeout of a streamed request from the fields after its payload. Throws
    /// <see cref="ProtobufFormatException"/> when they are malformed or name the service, method or
    /// payload again (a later one would replace what was already acted on).
    /// </summary>
    public static long ReadTrailer(ReadOnlySequence<byte> trailer)
    {
        long timeoutNano = 0;
        var reader = new ProtobufFieldReader(trailer);
        while (reader.TryReadTag(out int field, out ProtobufWireType wireType))
        {
            switch ((field, wireType))
            {
                case (ServiceField or MethodField or PayloadField, ProtobufWireType.LengthDelimited):
                    throw new ProtobufFormatException($"field {field} of the ttrpc request repeated after its payload");
                case (TimeoutNanoField, ProtobufWireType.Varint):
                    timeoutNano = (long)reader.ReadVarint();
                    break;
                default:
                    reader.SkipField(field, wireType);
                    break;
            }
        }

        return timeoutNano;
    }
}
