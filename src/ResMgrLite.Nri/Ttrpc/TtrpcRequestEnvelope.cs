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
}
