using System.Buffers;
using Google.Protobuf;
using ResMgrLite.Nri.Protobuf;

namespace ResMgrLite.Nri.Plugin;

/// <summary>
/// Decodes an event request (CreateContainer, StartContainer, RemovePodSandbox, StateChange …)
/// with its pod and container slimmed as a Synchronize's are (<see cref="SynchronizeElementReader"/>):
/// the request's other fields are copied as they are, the pod and the container keep only their
/// kept fields, and the generated parser sees the result. Every request carries the pod's labels
/// and annotations and the container's labels, annotations, arguments, environment, mounts and
/// hooks; decoding them into strings and maps only to drop them was most of the parsing time and
/// most of the garbage of every event.
/// </summary>
internal static class EventRequestReader
{
    // Every event request but StateChangeEvent: pod = 1, container = 2; StateChangeEvent: event = 1,
    // pod = 2, container = 3 (docs/nri-rules.md §5.2).
    private const int RequestPodField = 1;
    private const int RequestContainerField = 2;
    private const int StateChangePodField = 2;
    private const int StateChangeContainerField = 3;

    /// <summary>The longest length prefix a filtered pod or container needs (a 32-bit varint).</summary>
    private const int MaxLengthPrefix = 5;

    /// <summary>
    /// A request whose pod is field 1 and container field 2. With an empty
    /// <paramref name="annotationPrefix"/> the request is decoded whole, as the generated parser does.
    /// </summary>
    public static T Parse<T>(ReadOnlySequence<byte> payload, MessageParser<T> parser, ReadOnlySpan<byte> annotationPrefix)
        where T : IMessage<T> =>
        annotationPrefix.IsEmpty ? parser.ParseFrom(payload) : ParseSlim(payload, parser, RequestPodField, RequestContainerField, annotationPrefix);

    /// <summary>A StateChangeEvent (pod field 2, container field 3), as <see cref="Parse"/>.</summary>
    public static Api.StateChangeEvent StateChange(ReadOnlySequence<byte> payload, ReadOnlySpan<byte> annotationPrefix) =>
        annotationPrefix.IsEmpty
            ? Api.StateChangeEvent.Parser.ParseFrom(payload)
            : ParseSlim(payload, Api.StateChangeEvent.Parser, StateChangePodField, StateChangeContainerField, annotationPrefix);

    private static T ParseSlim<T>(ReadOnlySequence<byte> payload, MessageParser<T> parser, int podField, int containerField, ReadOnlySpan<byte> annotationPrefix)
        where T : IMessage<T>
    {
        // A slimmed field is written after room for its longest length prefix, then moved back
        // behind the prefix it needs: the buffer holds the request plus that room once.
        byte[] kept = ProtobufScratch.Rent(checked((int)payload.Length + MaxLengthPrefix));
        try
        {
            return parser.ParseFrom(kept.AsSpan(0, Slim(payload, kept, podField, containerField, annotationPrefix)));
        }
        finally
        {
            ProtobufScratch.Return(kept);
        }
    }

    /// <summary>
    /// Writes the request with its pod and container slimmed to <paramref name="destination"/>
    /// (at least the payload's length plus <see cref="MaxLengthPrefix"/>); returns the bytes written,
    /// never more than the payload holds.
    /// </summary>
    internal static int Slim(ReadOnlySequence<byte> payload, Span<byte> destination, int podField, int containerField, ReadOnlySpan<byte> annotationPrefix)
    {
        int written = 0;
        var reader = new ProtobufFieldReader(payload);
        while (true)
        {
            long start = reader.Consumed;
            if (!reader.TryReadTag(out int field, out ProtobufWireType wireType))
            {
                return written;
            }

            if (wireType == ProtobufWireType.LengthDelimited && (field == podField || field == containerField))
            {
                long tagLength = reader.Consumed - start;
                ReadOnlySequence<byte> element = reader.ReadLengthDelimited();
                payload.Slice(start, tagLength).CopyTo(destination[written..]);
                written += (int)tagLength;
                int content = SynchronizeElementReader.CopyKept(element, destination[(written + MaxLengthPrefix)..], annotationPrefix, isContainer: field == containerField);
                int prefix = ProtobufVarint.Write(destination[written..], (uint)content);
                destination.Slice(written + MaxLengthPrefix, content).CopyTo(destination[(written + prefix)..]);
                written += prefix + content;
            }
            else
            {
                reader.SkipField(field, wireType);
                ReadOnlySequence<byte> bytes = payload.Slice(start, reader.Consumed - start);
                bytes.CopyTo(destination[written..]);
                written += (int)bytes.Length;
            }
        }
    }
}
