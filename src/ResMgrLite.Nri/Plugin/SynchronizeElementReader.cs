using System.Buffers;
using Google.Protobuf;
using ResMgrLite.Nri.Api;
using ResMgrLite.Nri.Protobuf;

namespace ResMgrLite.Nri.Plugin;

/// <summary>
/// Decodes one pod or container of a Synchronize without the parts no reconciliation reads: the
/// fields are picked at the wire level and only the kept ones are handed to the generated parser.
/// A runtime's containers carry hundreds of labels, annotations, environment variables, mounts and
/// hooks each; decoding them only to drop them made a multi-megabyte Synchronize allocate several
/// times its size, and what the collections promoted on the way stayed resident long after.
/// </summary>
internal static class SynchronizeElementReader
{
    // PodSandbox and Container fields (docs/nri-rules.md §5.3).
    private const int LabelsField = 5;
    private const int AnnotationsField = 6;
    private const int ArgsField = 7;
    private const int EnvField = 8;
    private const int MountsField = 9;
    private const int HooksField = 10;
    private const int RlimitsField = 13;
    private const int CdiDevicesField = 20;

    // A map entry's key (docs/nri-rules.md §5.0: a map is a repeated {key = 1, value = 2} message).
    private const int MapKeyField = 1;

    /// <summary>A pod without labels, with only the annotations whose key starts with <paramref name="annotationPrefix"/>.</summary>
    public static PodSandbox Pod(ReadOnlySequence<byte> element, ReadOnlySpan<byte> annotationPrefix) =>
        Parse(element, PodSandbox.Parser, annotationPrefix, isContainer: false);

    /// <summary>A container without labels, annotations, arguments, environment, mounts, hooks, rlimits and CDI devices.</summary>
    public static Container Container(ReadOnlySequence<byte> element) =>
        Parse(element, Api.Container.Parser, default, isContainer: true);

    private static T Parse<T>(ReadOnlySequence<byte> element, MessageParser<T> parser, ReadOnlySpan<byte> annotationPrefix, bool isContainer)
        where T : IMessage<T>
    {
        byte[] kept = ProtobufScratch.Rent(checked((int)element.Length));
        try
        {
            return parser.ParseFrom(kept.AsSpan(0, CopyKept(element, kept, annotationPrefix, isContainer)));
        }
        finally
        {
            ProtobufScratch.Return(kept);
        }
    }

    /// <summary>
    /// Copies the fields of a pod or container that are kept to <paramref name="destination"/>
    /// (never more bytes than <paramref name="element"/> holds); returns how many were written.
    /// </summary>
    public static int CopyKept(ReadOnlySequence<byte> element, Span<byte> destination, ReadOnlySpan<byte> annotationPrefix, bool isContainer)
    {
        int written = 0;
        var reader = new ProtobufFieldReader(element);
        while (true)
        {
            long start = reader.Consumed;
            if (!reader.TryReadTag(out int field, out ProtobufWireType wireType))
            {
                return written;
            }

            bool keep;
            if (!isContainer && field == AnnotationsField && wireType == ProtobufWireType.LengthDelimited)
            {
                keep = KeyStartsWith(reader.ReadLengthDelimited(), annotationPrefix);
            }
            else
            {
                reader.SkipField(field, wireType);
                keep = !IsBulk(field, isContainer);
            }

            if (keep)
            {
                ReadOnlySequence<byte> bytes = element.Slice(start, reader.Consumed - start);
                bytes.CopyTo(destination[written..]);
                written += (int)bytes.Length;
            }
        }
    }

    private static bool IsBulk(int field, bool isContainer) => isContainer
        ? field is LabelsField or AnnotationsField or ArgsField or EnvField or MountsField or HooksField or RlimitsField or CdiDevicesField
        : field == LabelsField;

    private static bool KeyStartsWith(ReadOnlySequence<byte> entry, ReadOnlySpan<byte> prefix)
    {
        var reader = new ProtobufFieldReader(entry);
        ReadOnlySequence<byte> key = default;
        while (reader.TryReadTag(out int field, out ProtobufWireType wireType))
        {
            if (field == MapKeyField && wireType == ProtobufWireType.LengthDelimited)
            {
                // The last occurrence wins, as in the generated parser.
                key = reader.ReadLengthDelimited();
            }
            else
            {
                reader.SkipField(field, wireType);
            }
        }

        return new SequenceReader<byte>(key).IsNext(prefix);
    }
}
