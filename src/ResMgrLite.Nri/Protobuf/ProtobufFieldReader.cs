using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace ResMgrLite.Nri.Protobuf;

/// <summary>
/// Walks the top-level fields of one protobuf message held in a possibly segmented sequence and
/// hands length-delimited fields out as slices of it, never as copies (docs/nri-rules.md §5.0 for the wire
/// rules). Used where the protocol layer decodes by hand to stay small: the ttrpc request envelope,
/// whose payload may be megabytes, and Synchronize, whose pods and containers are decoded one at a time.
/// </summary>
internal ref struct ProtobufFieldReader
{
    // Google.Protobuf's default recursion limit.
    private const int MaxGroupDepth = 100;
    private SequenceReader<byte> _reader;

    public ProtobufFieldReader(ReadOnlySequence<byte> message)
    {
        _reader = new SequenceReader<byte>(message);
    }

    /// <summary>Bytes of the message read so far: where the next field starts.</summary>
    public readonly long Consumed => _reader.Consumed;

    /// <summary>Reads the next tag; false at the end of the message.</summary>
    public bool TryReadTag(out int fieldNumber, out ProtobufWireType wireType)
    {
        fieldNumber = 0;
        wireType = default;
        if (_reader.End)
        {
            return false;
        }

        ulong tag = ReadVarint();
        if (tag > uint.MaxValue || (tag >> 3) == 0)
        {
            Throw($"invalid tag {tag} at byte {_reader.Consumed}");
        }

        fieldNumber = (int)(tag >> 3);
        wireType = (ProtobufWireType)(tag & 7);
        return true;
    }

    public ulong ReadVarint()
    {
        if (!ProtobufVarint.TryRead(ref _reader, out ulong value))
        {
            Throw($"the message ends inside a varint at byte {_reader.Consumed}");
        }

        return value;
    }

    /// <summary>The body of a length-delimited field, as a slice of the message.</summary>
    public ReadOnlySequence<byte> ReadLengthDelimited()
    {
        ulong length = ReadVarint();
        if (length > (ulong)_reader.Remaining)
        {
            Throw($"a field declares {length} bytes but only {_reader.Remaining} remain");
        }

        ReadOnlySequence<byte> body = _reader.UnreadSequence.Slice(0, (long)length);
        _reader.Advance((long)length);
        return body;
    }

    /// <summary>Skips the value of a field this reader does not want (unknown fields are skipped, docs/nri-rules.md §5.0).</summary>
    /// <param name="fieldNumber">The field's number; a group ends at the end-group tag with the same number.</param>
    public void SkipField(int fieldNumber, ProtobufWireType wireType) => SkipField(fieldNumber, wireType, depth: 0);

    private void SkipField(int fieldNumber, ProtobufWireType wireType, int depth)
    {
        switch (wireType)
        {
            case ProtobufWireType.Varint:
                ReadVarint();
                break;
            case ProtobufWireType.Fixed64:
                Advance(8);
                break;
            case ProtobufWireType.LengthDelimited:
                ReadLengthDelimited();
                break;
            case ProtobufWireType.Fixed32:
                Advance(4);
                break;
            case ProtobufWireType.StartGroup:
                SkipGroup(fieldNumber, depth);
                break;
            default:
                Throw($"unexpected wire type {(int)wireType} for field {fieldNumber} at byte {_reader.Consumed}");
                break;
        }
    }

    /// <summary>Groups are proto2 only and never in NRI, but a generic decoder skips them, so do we.</summary>
    private void SkipGroup(int fieldNumber, int depth)
    {
        if (depth >= MaxGroupDepth)
        {
            Throw($"groups nested deeper than {MaxGroupDepth}");
        }

        while (TryReadTag(out int field, out ProtobufWireType wireType))
        {
            if (wireType == ProtobufWireType.EndGroup)
            {
                if (field != fieldNumber)
                {
                    Throw($"group {fieldNumber} ended by the end tag of field {field}");
                }

                return;
            }

            SkipField(field, wireType, depth + 1);
        }

        Throw($"the message ends inside group {fieldNumber}");
    }

    private void Advance(int count)
    {
        if (_reader.Remaining < count)
        {
            Throw($"a fixed-size field needs {count} bytes but only {_reader.Remaining} remain");
        }

        _reader.Advance(count);
    }

    [DoesNotReturn]
    private static void Throw(string message) => throw new ProtobufFormatException(message);
}
