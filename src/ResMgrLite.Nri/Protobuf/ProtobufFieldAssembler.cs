using System.Buffers;

namespace ResMgrLite.Nri.Protobuf;

/// <summary>
/// Cuts the top-level fields of one protobuf message that arrives in pieces (the payload of a
/// streamed request) and hands each whole field, tag included, to the caller: straight from the
/// piece it lies in, or, for a field split across pieces, from a buffer of exactly its size. Every
/// byte it is given is taken, so the connection never waits on it; what it holds at a time is at
/// most one field, and no field is longer than the message it belongs to.
/// </summary>
internal sealed class ProtobufFieldAssembler
{
    /// <summary>A tag (at most 5 bytes for a 32-bit field number) and a length (at most 10 bytes).</summary>
    private const int MaxHeaderBytes = 15;

    private readonly long _messageLength;
    private readonly byte[] _header = new byte[MaxHeaderBytes];
    private int _headerLength;

    // Bytes of the message taken so far.
    private long _offset;

    // A field split across pieces, once its length is known: its bytes so far.
    private byte[]? _field;
    private int _fieldLength;
    private int _fieldFilled;

    /// <param name="messageLength">The message's declared length: no field may reach past it.</param>
    public ProtobufFieldAssembler(long messageLength)
    {
        _messageLength = messageLength;
    }

    /// <summary>Bytes held for a field split across pieces; for tests.</summary>
    internal int HeldBytes => _headerLength + (_field is null ? 0 : _fieldLength);

    /// <summary>
    /// Takes the next piece of the message; calls <paramref name="onField"/> for every field it
    /// completes, in order. <paramref name="isEnd"/> marks the message's last piece: a field still
    /// incomplete then is a <see cref="ProtobufFormatException"/>, as is a malformed tag or length.
    /// </summary>
    public void Feed<TState>(ReadOnlySequence<byte> piece, bool isEnd, TState state, Action<TState, ReadOnlySequence<byte>> onField)
    {
        while (!piece.IsEmpty)
        {
            if (_field is not null)
            {
                int take = (int)Math.Min(piece.Length, _fieldLength - _fieldFilled);
                piece.Slice(0, take).CopyTo(_field.AsSpan(_fieldFilled));
                _fieldFilled += take;
                piece = piece.Slice(take);
                _offset += take;
                if (_fieldFilled == _fieldLength)
                {
                    byte[] whole = _field;
                    _field = null;
                    onField(state, new ReadOnlySequence<byte>(whole, 0, _fieldLength));
                }

                continue;
            }

            if (_headerLength > 0)
            {
                // The tag or length of the next field began in the last piece.
                int had = _headerLength;
                int take = (int)Math.Min(piece.Length, MaxHeaderBytes - had);
                piece.Slice(0, take).CopyTo(_header.AsSpan(had));
                long length = FieldLength(new ReadOnlySequence<byte>(_header, 0, had + take), _messageLength - (_offset - had));
                if (length < 0)
                {
                    _headerLength = had + take;
                    piece = piece.Slice(take);
                    _offset += take;
                    continue;
                }

                _headerLength = 0;
                if (length <= had + take)
                {
                    piece = piece.Slice(length - had);
                    _offset += length - had;
                    onField(state, new ReadOnlySequence<byte>(_header, 0, (int)length));
                    continue;
                }

                StartSplitField(new ReadOnlySequence<byte>(_header, 0, had), length);
                continue;
            }

            long next = FieldLength(piece, _messageLength - _offset);
            if (next < 0)
            {
                // Shorter than a tag and length: keep it for the next piece.
                piece.CopyTo(_header);
                _headerLength = (int)piece.Length;
                _offset += piece.Length;
                break;
            }

            if (next > piece.Length)
            {
                StartSplitField(piece, next);
                _offset += piece.Length;
                break;
            }

            onField(state, piece.Slice(0, next));
            piece = piece.Slice(next);
            _offset += next;
        }

        if (isEnd && (_headerLength > 0 || _field is not null))
        {
            throw new ProtobufFormatException($"the message ends inside a field ({(_field is null ? _headerLength : _fieldFilled)} of its bytes received)");
        }
    }

    private void StartSplitField(ReadOnlySequence<byte> start, long length)
    {
        // No field is longer than the message, and messages are bounded before they are read.
        _fieldLength = checked((int)length);
        _field = GC.AllocateUninitializedArray<byte>(_fieldLength);
        start.CopyTo(_field);
        _fieldFilled = (int)start.Length;
    }

    /// <summary>
    /// The whole length of the field <paramref name="bytes"/> starts with, or -1 when its tag or
    /// length is not all there. A field longer than the <paramref name="remaining"/> bytes of the
    /// message is refused before anything is held for it.
    /// </summary>
    private static long FieldLength(ReadOnlySequence<byte> bytes, long remaining)
    {
        long length = FieldLength(bytes);
        if (length > remaining)
        {
            throw new ProtobufFormatException($"a field needs {length} bytes but only {remaining} remain in the message");
        }

        return length;
    }

    private static long FieldLength(ReadOnlySequence<byte> bytes)
    {
        var reader = new SequenceReader<byte>(bytes);
        if (!ProtobufVarint.TryRead(ref reader, out ulong tag))
        {
            return -1;
        }

        if (tag > uint.MaxValue || (tag >> 3) == 0)
        {
            throw new ProtobufFormatException($"invalid tag {tag}");
        }

        long header = reader.Consumed;
        switch ((ProtobufWireType)(tag & 7))
        {
            case ProtobufWireType.Varint:
                return ProtobufVarint.TryRead(ref reader, out _) ? reader.Consumed : -1;
            case ProtobufWireType.Fixed64:
                return header + 8;
            case ProtobufWireType.Fixed32:
                return header + 4;
            case ProtobufWireType.LengthDelimited:
                if (!ProtobufVarint.TryRead(ref reader, out ulong length))
                {
                    return -1;
                }

                if (length > int.MaxValue)
                {
                    throw new ProtobufFormatException($"a field declares {length} bytes");
                }

                return reader.Consumed + (long)length;
            default:
                // Groups are proto2 only and never in NRI; a streamed message does not carry them.
                throw new ProtobufFormatException($"unexpected wire type {tag & 7} for field {tag >> 3} in a streamed message");
        }
    }
}
