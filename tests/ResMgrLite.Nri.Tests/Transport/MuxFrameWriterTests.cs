using System.Buffers;
using CsCheck;
using ResMgrLite.Nri.Tests.Support;
using ResMgrLite.Nri.Transport;

namespace ResMgrLite.Nri.Tests.Transport;

public class MuxFrameWriterTests
{
    private static List<(uint ConnId, byte[] Payload)> Frames(byte[] written)
    {
        var frames = new List<(uint, byte[])>();
        var buffer = new ReadOnlySequence<byte>(written);
        while (MuxFrames.TryReadFrame(ref buffer, out uint connId, out ReadOnlySequence<byte> payload))
        {
            frames.Add((connId, payload.ToArray()));
        }

        Assert.True(buffer.IsEmpty);
        return frames;
    }

    private static byte[] Write(uint connId, byte[] message)
    {
        var output = new ArrayBufferWriter<byte>();
        MuxFrameWriter.WriteMessage(output, connId, message);
        Assert.Equal(MuxFrameWriter.EncodedLength(message.Length), output.WrittenCount);
        return output.WrittenSpan.ToArray();
    }

    [Fact]
    public void Small_message_is_one_frame_with_the_spec_header()
    {
        byte[] message = SpecFixtures.RegisterPluginDemo[8..];

        Assert.Equal(SpecFixtures.RegisterPluginDemo, Write(2, message));
    }

    [Theory]
    [InlineData(10, new[] { 10 })]
    [InlineData(4095, new[] { 4095 })]
    [InlineData(4096, new[] { 4096 })]
    [InlineData(4097, new[] { 4096, 1 })]
    [InlineData(5066, new[] { 4096, 970 })]
    [InlineData(100_000, new[] { 4096, 95_904 })]
    public void SplitsExactlyLikeGoBufioWriter(int messageLength, int[] frameLengths)
    {
        byte[] message = Enumerable.Range(0, messageLength).Select(i => (byte)i).ToArray();

        List<(uint ConnId, byte[] Payload)> frames = Frames(Write(1, message));

        Assert.Equal(frameLengths, frames.Select(f => f.Payload.Length).ToArray());
        Assert.All(frames, f => Assert.Equal(1u, f.ConnId));
        Assert.Equal(message, frames.SelectMany(f => f.Payload).ToArray());
    }

    [Fact]
    public void Empty_message_writes_no_frame()
    {
        Assert.Empty(Write(1, []));
    }

    [Fact]
    public void Any_length_follows_the_safe_scheme_of_spec_section_24()
    {
        Gen.Int[1, 70_000].Sample(length =>
        {
            byte[] message = new byte[length];
            new Random(length).NextBytes(message);
            List<(uint ConnId, byte[] Payload)> frames = Frames(Write(2, message));

            // Never a zero-length frame; at most two frames; only the tail may exceed 4096, and then it
            // is exactly the rest of the message.
            Assert.All(frames, f => Assert.NotEmpty(f.Payload));
            Assert.InRange(frames.Count, 1, 2);
            Assert.True(frames[0].Payload.Length <= MuxFrameWriter.GoReaderBufferSize);
            if (frames.Count == 2)
            {
                Assert.Equal(MuxFrameWriter.GoReaderBufferSize, frames[0].Payload.Length);
                Assert.Equal(length - MuxFrameWriter.GoReaderBufferSize, frames[1].Payload.Length);
            }

            Assert.Equal(message, frames.SelectMany(f => f.Payload).ToArray());
        }, iter: 500);
    }
}
