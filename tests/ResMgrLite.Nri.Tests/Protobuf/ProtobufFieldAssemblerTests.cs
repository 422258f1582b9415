using System.Buffers;
using Google.Protobuf;
using ResMgrLite.Nri.Api;
using ResMgrLite.Nri.Protobuf;

namespace ResMgrLite.Nri.Tests.Protobuf;

/// <summary>A message fed in pieces of any size gives the same fields as the whole message; nothing bad is held.</summary>
public sealed class ProtobufFieldAssemblerTests
{
    private static byte[] Message()
    {
        var request = new SynchronizeRequest { More = true };
        for (int i = 0; i < 20; i++)
        {
            var pod = new PodSandbox { Id = $"pod-{i}", Uid = new string('u', i * 37) };
            request.Pods.Add(pod);
            request.Containers.Add(new Container { Id = $"c-{i}", PodSandboxId = pod.Id, Pid = (uint)(i * 1000) });
        }

        return request.ToByteArray();
    }

    private static List<string> Fields(byte[] message, IEnumerable<int> pieceSizes)
    {
        var fields = new List<string>();
        var assembler = new ProtobufFieldAssembler(message.Length);
        int offset = 0;
        using IEnumerator<int> sizes = pieceSizes.GetEnumerator();
        while (offset < message.Length)
        {
            int size = sizes.MoveNext() ? Math.Min(sizes.Current, message.Length - offset) : message.Length - offset;
            assembler.Feed(new ReadOnlySequence<byte>(message, offset, size), offset + size == message.Length, fields, static (list, field) => list.Add(Convert.ToHexString(field.ToArray())));
            offset += size;
        }

        Assert.Equal(0, assembler.HeldBytes);
        return fields;
    }

    [Fact]
    public void Pieces_of_every_size_give_the_fields_of_the_whole_message()
    {
        byte[] message = Message();
        List<string> whole = Fields(message, [message.Length]);
        Assert.Equal(41, whole.Count);

        for (int size = 1; size <= 64; size++)
        {
            Assert.Equal(whole, Fields(message, Enumerable.Repeat(size, message.Length)));
        }

        var random = new Random(7);
        for (int run = 0; run < 50; run++)
        {
            Assert.Equal(whole, Fields(message, Enumerable.Range(0, message.Length).Select(_ => random.Next(1, 300))));
        }
    }

    [Fact]
    public void A_message_that_ends_inside_a_field_is_malformed()
    {
        byte[] message = Message();
        var assembler = new ProtobufFieldAssembler(message.Length);
        assembler.Feed(new ReadOnlySequence<byte>(message, 0, message.Length - 3), isEnd: false, 0, static (_, _) => { });

        Assert.Throws<ProtobufFormatException>(() => assembler.Feed(ReadOnlySequence<byte>.Empty, isEnd: true, 0, static (_, _) => { }));
    }

    [Fact]
    public void A_field_longer_than_the_message_is_refused_before_anything_is_held_for_it()
    {
        // Field 1, length-delimited, declaring 2 GiB - 1 bytes, in a 100-byte message.
        byte[] start = [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00];
        var assembler = new ProtobufFieldAssembler(100);

        ProtobufFormatException error = Assert.Throws<ProtobufFormatException>(() => assembler.Feed(new ReadOnlySequence<byte>(start), isEnd: false, 0, static (_, _) => { }));
        Assert.Contains("remain in the message", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, assembler.HeldBytes);
    }
}
