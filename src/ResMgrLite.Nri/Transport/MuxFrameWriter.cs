using System.Buffers;
using System.Buffers.Binary;

namespace ResMgrLite.Nri.Transport;

/// <summary>
/// Writes one ttrpc message as mux frames exactly the way Go's bufio.Writer does (docs/nri-rules.md §2.4,
/// scheme 1). The Go receiver reads each frame into a 4096-byte bufio buffer, or into a slice of
/// exactly the rest of the current message; a frame that fits neither kills the connection with
/// ENOMEM. So: a message of at most 4096 bytes goes in one frame; a longer one goes as its first
/// 4096 bytes, then the whole rest. Never a zero-length frame, never two messages in one frame.
/// </summary>
internal static class MuxFrameWriter
{
    /// <summary>The Go ttrpc reader's bufio buffer size (docs/nri-rules.md §2.4).</summary>
    public const int GoReaderBufferSize = 4096;

    public static void WriteMessage(IBufferWriter<byte> output, uint connId, ReadOnlySpan<byte> message)
    {
        if (message.IsEmpty)
        {
            return;
        }

        if (message.Length <= GoReaderBufferSize)
        {
            WriteFrame(output, connId, message);
            return;
        }

        WriteFrame(output, connId, message[..GoReaderBufferSize]);
        WriteFrame(output, connId, message[GoReaderBufferSize..]);
    }

    /// <summary>Number of bytes <see cref="WriteMessage"/> produces for a message of this length.</summary>
    public static int EncodedLength(int messageLength) =>
        messageLength == 0 ? 0
        : messageLength <= GoReaderBufferSize ? MuxFrameReader.HeaderLength + messageLength
        : (2 * MuxFrameReader.HeaderLength) + messageLength;

    private static void WriteFrame(IBufferWriter<byte> output, uint connId, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = output.GetSpan(MuxFrameReader.HeaderLength);
        BinaryPrimitives.WriteUInt32BigEndian(header, connId);
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], (uint)payload.Length);
        output.Advance(MuxFrameReader.HeaderLength);
        output.Write(payload);
    }
}
