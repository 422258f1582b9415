using System.Buffers;
using ResMgrLite.Nri.Tests.Support;
using ResMgrLite.Nri.Transport;

namespace ResMgrLite.Nri.Tests.Transport;

public class MuxFrameReaderTests
{
    public static TheoryData<string> SpecFrames => new() { "register", "register-timeout", "register-reply", "configure", "configure-reply", "unknown-method" };

    internal static byte[] Fixture(string name) => name switch
    {
        "register" => SpecFixtures.RegisterPluginDemo,
        "register-timeout" => SpecFixtures.RegisterPluginDemoWithTimeout,
        "register-reply" => SpecFixtures.RegisterReply,
        "configure" => SpecFixtures.Configure,
        "configure-reply" => SpecFixtures.ConfigureReply0x689,
        "unknown-method" => SpecFixtures.UnknownMethodFooStream3,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Fact]
    public void Reads_spec_register_plugin_frame()
    {
        var buffer = new ReadOnlySequence<byte>(SpecFixtures.RegisterPluginDemo);

        Assert.True(MuxFrames.TryReadFrame(ref buffer, out uint connId, out ReadOnlySequence<byte> payload));

        Assert.Equal(2u, connId);
        Assert.Equal(68, payload.Length);
        Assert.Equal(SpecFixtures.RegisterPluginDemo.AsSpan(8).ToArray(), payload.ToArray());
        Assert.True(buffer.IsEmpty);
    }

    [Theory]
    [MemberData(nameof(SpecFrames))]
    public void Every_prefix_is_incomplete_and_consumes_nothing(string fixture)
    {
        byte[] frame = Fixture(fixture);
        for (int length = 0; length < frame.Length; length++)
        {
            var buffer = new ReadOnlySequence<byte>(frame, 0, length);
            SequencePosition start = buffer.Start;

            Assert.False(MuxFrames.TryReadFrame(ref buffer, out _, out _));
            Assert.Equal(length, buffer.Length);
            Assert.Equal(start, buffer.Start);
        }
    }

    [Theory]
    [MemberData(nameof(SpecFrames))]
    public void Reads_frame_split_one_byte_per_segment_with_empty_segments(string fixture)
    {
        byte[] frame = Fixture(fixture);
        ReadOnlySequence<byte> whole = SequenceFactory.Segmented(frame, 1, emptyBetween: true);
        for (int length = 0; length < frame.Length; length++)
        {
            ReadOnlySequence<byte> prefix = whole.Slice(0, length);
            Assert.False(MuxFrames.TryReadFrame(ref prefix, out _, out _));
            Assert.Equal(length, prefix.Length);
        }

        Assert.True(MuxFrames.TryReadFrame(ref whole, out uint connId, out ReadOnlySequence<byte> payload));
        Assert.Equal(frame[3], (byte)connId);
        Assert.Equal(frame.AsSpan(8).ToArray(), payload.ToArray());
        Assert.True(whole.IsEmpty);
    }

    [Fact]
    public void Reads_back_to_back_frames_and_leaves_the_incomplete_tail()
    {
        byte[] stream = Hex.Concat(SpecFixtures.RegisterReply, SpecFixtures.ConfigureReply0x689, SpecFixtures.Configure[..5]);
        var buffer = new ReadOnlySequence<byte>(stream);

        Assert.True(MuxFrames.TryReadFrame(ref buffer, out uint first, out ReadOnlySequence<byte> firstPayload));
        Assert.True(MuxFrames.TryReadFrame(ref buffer, out uint second, out ReadOnlySequence<byte> secondPayload));
        Assert.False(MuxFrames.TryReadFrame(ref buffer, out _, out _));

        Assert.Equal((2u, 10L), (first, firstPayload.Length));
        Assert.Equal((1u, 15L), (second, secondPayload.Length));
        Assert.Equal(5, buffer.Length);
    }

    [Fact]
    public void Zero_length_frame_is_accepted_as_empty()
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Parse("00 00 00 01 00 00 00 00"));

        Assert.True(MuxFrames.TryReadFrame(ref buffer, out uint connId, out ReadOnlySequence<byte> payload));
        Assert.Equal(1u, connId);
        Assert.True(payload.IsEmpty);
    }

    [Fact]
    public void Oversize_length_is_rejected_from_the_header_alone()
    {
        // Header only: the reader must not wait for 16 MiB + 1 bytes before refusing.
        var buffer = new ReadOnlySequence<byte>(Hex.Parse("00 00 00 01  01 00 00 01"));

        var error = Assert.Throws<ProtocolViolationException>(() => MuxFrames.TryReadFrame(ref buffer, out _, out _));
        Assert.Contains("16777217", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Largest_allowed_length_waits_for_the_body()
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Parse("00 00 00 01  01 00 00 00"));

        Assert.False(MuxFrames.TryReadFrame(ref buffer, out _, out _));
        Assert.Equal(8, buffer.Length);
    }
}
