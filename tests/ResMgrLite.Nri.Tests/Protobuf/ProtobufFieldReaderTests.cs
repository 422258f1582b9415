using System.Buffers;
using Google.Protobuf;
using ResMgrLite.Nri.Protobuf;
using ResMgrLite.Nri.Tests.Support;
using ResMgrLite.Nri.Ttrpc;

namespace ResMgrLite.Nri.Tests.Protobuf;

public class ProtobufFieldReaderTests
{
    // The ttrpc Request of docs/nri-rules.md §8.3 (Configure from the v0.6.1 adaptation), without mux and ttrpc headers.
    private static byte[] ConfigureEnvelope => SpecFixtures.Configure[18..];

    [Fact]
    public void Reads_the_spec_configure_envelope_like_the_generated_parser()
    {
        TtrpcRequestEnvelope envelope = TtrpcRequestEnvelope.Read(new ReadOnlySequence<byte>(ConfigureEnvelope));
        Request reference = Request.Parser.ParseFrom(ConfigureEnvelope);

        Assert.Equal(("nri.pkg.api.v1alpha1.Plugin", "Configure", 1_999_944_488L), (envelope.Service, envelope.Method, envelope.TimeoutNano));
        Assert.Equal(reference.Payload.ToByteArray(), envelope.Payload.ToArray());
    }

    [Fact]
    public void Reads_the_envelope_split_one_byte_per_segment_with_empty_segments()
    {
        ReadOnlySequence<byte> segmented = SequenceFactory.Segmented(ConfigureEnvelope, 1, emptyBetween: true);

        TtrpcRequestEnvelope envelope = TtrpcRequestEnvelope.Read(segmented);

        Assert.Equal(("Configure", 1_999_944_488L), (envelope.Method, envelope.TimeoutNano));
        Assert.Equal("1.7.24~ds1", Api.ConfigureRequest.Parser.ParseFrom(envelope.Payload).RuntimeVersion);
    }

    [Fact]
    public void The_payload_is_a_slice_of_the_input_not_a_copy()
    {
        byte[] bytes = ConfigureEnvelope;

        TtrpcRequestEnvelope envelope = TtrpcRequestEnvelope.Read(new ReadOnlySequence<byte>(bytes));

        Assert.True(envelope.Payload.First.Span.Overlaps(bytes));
    }

    [Theory]
    [InlineData("0a 05 61 62", "declares 5 bytes but only 2 remain")]              // service longer than the message
    [InlineData("20 ff ff ff ff ff ff ff ff ff ff 01", "varint longer than 10 bytes")]
    [InlineData("20 80", "ends inside a varint")]
    [InlineData("00 01", "invalid tag 0")]
    [InlineData("0b 10 01", "ends inside group 1")]                               // start group 1, never ended
    [InlineData("0b 14", "group 1 ended by the end tag of field 2")]
    [InlineData("0e", "unexpected wire type 6")]
    public void Malformed_input_is_refused_with_the_place(string hex, string expected)
    {
        var input = new ReadOnlySequence<byte>(Hex.Parse(hex));

        ProtobufFormatException error = Assert.Throws<ProtobufFormatException>(() => TtrpcRequestEnvelope.Read(input));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.ThrowsAny<InvalidProtocolBufferException>(() => Request.Parser.ParseFrom(input));
    }

    [Fact]
    public void Unknown_fields_of_every_wire_type_are_skipped_as_the_generated_parser_does()
    {
        // field 9 varint, 10 fixed64, 11 length-delimited, 12 group with a nested field, 13 fixed32; then method.
        byte[] input = Hex.Concat(
            Hex.Parse("48 96 01"),
            Hex.Parse("51 01 02 03 04 05 06 07 08"),
            Hex.Parse("5a 02 aa bb"),
            Hex.Parse("63 08 01 64"),
            Hex.Parse("6d 01 02 03 04"),
            Hex.Parse("12 03"), Hex.Ascii("Foo"));

        TtrpcRequestEnvelope envelope = TtrpcRequestEnvelope.Read(new ReadOnlySequence<byte>(input));

        Assert.Equal(Request.Parser.ParseFrom(input).Method, envelope.Method);
        Assert.Equal("Foo", envelope.Method);
    }
}
