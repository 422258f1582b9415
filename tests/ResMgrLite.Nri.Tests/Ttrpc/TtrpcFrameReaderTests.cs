using System.Buffers;
using Google.Protobuf;
using ResMgrLite.Nri.Tests.Support;
using ResMgrLite.Nri.Ttrpc;

namespace ResMgrLite.Nri.Tests.Ttrpc;

public class TtrpcFrameReaderTests
{
    public static TheoryData<string> SpecMessages => new() { "register", "register-reply", "configure", "configure-reply", "unknown-method", "nope" };

    private static byte[] Message(string name) => name == "nope"
        ? SpecFixtures.UnknownMethodNopeTtrpc
        : Transport.MuxFrameReaderTests.Fixture(name)[8..];

    [Theory]
    [MemberData(nameof(SpecMessages))]
    public void Every_prefix_is_incomplete_and_consumes_nothing(string name)
    {
        byte[] message = Message(name);
        for (int length = 0; length < message.Length; length++)
        {
            var buffer = new ReadOnlySequence<byte>(message, 0, length);

            Assert.Equal(TtrpcReadStatus.Incomplete, TtrpcFrameReader.TryReadMessage(ref buffer, out _, out _));
            Assert.Equal(length, buffer.Length);
        }
    }

    [Theory]
    [MemberData(nameof(SpecMessages))]
    public void Reads_one_byte_per_segment_with_empty_segments(string name)
    {
        byte[] message = Message(name);
        ReadOnlySequence<byte> whole = SequenceFactory.Segmented(message, 1, emptyBetween: true);
        for (int length = 0; length < message.Length; length++)
        {
            ReadOnlySequence<byte> prefix = whole.Slice(0, length);
            Assert.Equal(TtrpcReadStatus.Incomplete, TtrpcFrameReader.TryReadMessage(ref prefix, out _, out _));
            Assert.Equal(length, prefix.Length);
        }

        Assert.Equal(TtrpcReadStatus.Message, TtrpcFrameReader.TryReadMessage(ref whole, out TtrpcMessageHeader header, out ReadOnlySequence<byte> data));
        Assert.Equal(message.AsSpan(10).ToArray(), data.ToArray());
        Assert.Equal((uint)(message.Length - 10), header.DataLength);
        Assert.True(whole.IsEmpty);
    }

    [Fact]
    public void Decodes_spec_register_plugin_request()
    {
        var buffer = new ReadOnlySequence<byte>(SpecFixtures.RegisterPluginDemo[8..]);

        Assert.Equal(TtrpcReadStatus.Message, TtrpcFrameReader.TryReadMessage(ref buffer, out TtrpcMessageHeader header, out ReadOnlySequence<byte> data));
        Request request = Request.Parser.ParseFrom(data);

        Assert.Equal(new TtrpcMessageHeader(58, 1, TtrpcMessageType.Request, 0), header);
        Assert.Equal("nri.pkg.api.v1alpha1.Runtime", request.Service);
        Assert.Equal("RegisterPlugin", request.Method);
        var register = Api.RegisterPluginRequest.Parser.ParseFrom(request.Payload);
        Assert.Equal(("demo", "10"), (register.PluginName, register.PluginIdx));
    }

    [Fact]
    public void Decodes_spec_empty_success_reply()
    {
        var buffer = new ReadOnlySequence<byte>(SpecFixtures.RegisterReply[8..]);

        Assert.Equal(TtrpcReadStatus.Message, TtrpcFrameReader.TryReadMessage(ref buffer, out TtrpcMessageHeader header, out ReadOnlySequence<byte> data));

        Assert.Equal(new TtrpcMessageHeader(0, 1, TtrpcMessageType.Response, 0), header);
        Response response = Response.Parser.ParseFrom(data);
        Assert.Null(response.Status);
        Assert.True(response.Payload.IsEmpty);
    }

    [Fact]
    public void Encodes_spec_register_plugin_byte_for_byte()
    {
        var register = new Api.RegisterPluginRequest { PluginName = "demo", PluginIdx = "10" };
        var request = new Request { Service = "nri.pkg.api.v1alpha1.Runtime", Method = "RegisterPlugin", Payload = register.ToByteString() };
        using TtrpcEncodedMessage plain = TtrpcEncodedMessage.Create(1, TtrpcMessageType.Request, request);
        request.TimeoutNano = 5_000_000_000;
        using TtrpcEncodedMessage timed = TtrpcEncodedMessage.Create(1, TtrpcMessageType.Request, request);

        Assert.Equal(SpecFixtures.RegisterPluginDemo[8..], plain.Memory.ToArray());
        Assert.Equal(SpecFixtures.RegisterPluginDemoWithTimeout[8..], timed.Memory.ToArray());
    }

    [Fact]
    public void Encodes_spec_configure_response_and_unknown_method_reply()
    {
        var configured = new Response { Payload = new Api.ConfigureResponse { Events = 0x689 }.ToByteString() };
        var unknown = new Response { Status = new Status { Code = 12, Message = "method Nope" } };
        using TtrpcEncodedMessage configuredBytes = TtrpcEncodedMessage.Create(1, TtrpcMessageType.Response, configured);
        using TtrpcEncodedMessage unknownBytes = TtrpcEncodedMessage.Create(1, TtrpcMessageType.Response, unknown);

        Assert.Equal(SpecFixtures.ConfigureReply0x689[8..], configuredBytes.Memory.ToArray());
        Assert.Equal(SpecFixtures.UnknownMethodNopeTtrpc, unknownBytes.Memory.ToArray());
    }

    [Fact]
    public void Decodes_spec_configure_request_from_v_061()
    {
        var buffer = new ReadOnlySequence<byte>(SpecFixtures.Configure[8..]);

        Assert.Equal(TtrpcReadStatus.Message, TtrpcFrameReader.TryReadMessage(ref buffer, out _, out ReadOnlySequence<byte> data));
        Request request = Request.Parser.ParseFrom(data);
        var configure = Api.ConfigureRequest.Parser.ParseFrom(request.Payload);

        Assert.Equal(("nri.pkg.api.v1alpha1.Plugin", "Configure", 1_999_944_488L), (request.Service, request.Method, request.TimeoutNano));
        Assert.Equal(("", "containerd", "1.7.24~ds1"), (configure.Config, configure.RuntimeName, configure.RuntimeVersion));
        Assert.Equal(NriApiLevel.V0_6, NriRuntimeInfo.FromConfigure(configure).Level);
    }

    [Fact]
    public void Oversize_is_reported_from_the_header_alone_and_only_the_header_is_consumed()
    {
        // DataLength 4 MiB + 1, no body yet.
        var buffer = new ReadOnlySequence<byte>(Hex.Parse("00 40 00 01  00 00 00 05  01  00  aa bb"));

        Assert.Equal(TtrpcReadStatus.Oversized, TtrpcFrameReader.TryReadMessage(ref buffer, out TtrpcMessageHeader header, out _));

        Assert.Equal(((4u << 20) + 1, 5u), (header.DataLength, header.StreamId));
        Assert.Equal(2, buffer.Length);
    }

    [Fact]
    public void Largest_allowed_length_waits_for_the_body()
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Parse("00 40 00 00  00 00 00 05  01  00"));

        Assert.Equal(TtrpcReadStatus.Incomplete, TtrpcFrameReader.TryReadMessage(ref buffer, out _, out _));
        Assert.Equal(10, buffer.Length);
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x04)]
    [InlineData(0xff)]
    public void Unknown_message_type_is_a_protocol_violation_naming_the_byte(byte type)
    {
        byte[] raw = Hex.Parse("00 00 00 00  00 00 00 01  00  00");
        raw[8] = type;
        var buffer = new ReadOnlySequence<byte>(raw);

        var error = Assert.Throws<ProtocolViolationException>(() => TtrpcFrameReader.TryReadMessage(ref buffer, out _, out _));
        Assert.Contains($"\\x{type:x2}", error.Message, StringComparison.Ordinal);
    }
}
