using System.Buffers;

namespace ResMgrLite.Nri.Protobuf;

/// <summary>A protobuf varint read from bytes that may not all have arrived yet, or written (docs/nri-rules.md §5.0).</summary>
internal static class ProtobufVarint
{
    public const int MaxBytes = 10;

    /// <summary>False when the bytes end inside the varint; throws <see cref="ProtobufFormatException"/> for one longer than <see cref="MaxBytes"/>.</summary>
    public static bool TryRead(ref SequenceReader<byte> reader, out ulong value)
    {
        value = 0;
        for (int i = 0; i < MaxBytes; i++)
        {
            if (!reader.TryRead(out byte b))
            {
                return false;
            }

            value |= (ulong)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                return true;
            }
        }

        throw new ProtobufFormatException($"varint longer than {MaxBytes} bytes at byte {reader.Consumed}");
    }

    /// <summary>Writes <paramref name="value"/> in its shortest form (at most 5 bytes); returns the bytes written.</summary>
    public static int Write(Span<byte> destination, uint value)
    {
        int written = 0;
        while (value >= 0x80)
        {
            destination[written++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[written++] = (byte)value;
        return written;
    }
}
