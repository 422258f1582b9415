using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using ResMgrLite.Nri.Tests.Support;
using ResMgrLite.Nri.Transport;
using ResMgrLite.TestSupport.FakeNri;

namespace ResMgrLite.Nri.Tests.Transport;

public class MuxTrunkTests
{
    private const long BufferLimit = (4 << 20) + (64 * 1024);

    [Fact]
    public async Task An_unread_connection_stops_the_trunk_reader_instead_of_growing_without_bound()
    {
        (Socket runtime, Socket plugin) = SocketPair.Create();
        using (runtime)
        {
            await using var trunk = new MuxTrunk(new NetworkStream(plugin, ownsSocket: true), new CollectingLog(), BufferLimit);
            Task reader = trunk.RunAsync(CancellationToken.None);

            // Far more than the pause threshold plus the kernel's socket buffers, on conn 1 that nobody reads.
            const int FrameSize = 1 << 20;
            long frames = ((trunk.PauseThreshold * 2) / FrameSize) + 16;
            long total = frames * FrameSize;
            Task sender = Task.Run(async () =>
            {
                byte[] frame = new byte[8 + FrameSize];
                BinaryPrimitives.WriteUInt32BigEndian(frame, 1);
                BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), FrameSize);
                for (long sent = 0; sent < total; sent += FrameSize)
                {
                    await runtime.SendAsync(frame);
                }
            });

            await Task.Delay(1000);
            Assert.False(sender.IsCompleted, "the trunk kept reading although conn 1's queue was over its bound");

            // Reading conn 1 releases the back-pressure and everything arrives.
            PipeReader input = trunk.PluginService.Input;
            long received = 0;
            while (received < total)
            {
                ReadResult result = await input.ReadAsync();
                received += result.Buffer.Length;
                input.AdvanceTo(result.Buffer.End);
            }

            await sender.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(total, received);
            trunk.Abort("done");
            await reader.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public async Task Concurrent_sends_never_interleave_the_frames_of_one_message()
    {
        (Socket runtime, Socket plugin) = SocketPair.Create();
        using (runtime)
        {
            await using var trunk = new MuxTrunk(new NetworkStream(plugin, ownsSocket: true), new CollectingLog(), BufferLimit);
            byte[][] messages = [.. Enumerable.Range(0, 16).Select(i => Enumerable.Repeat((byte)i, 5000 + i).ToArray())];

            Task sends = Task.WhenAll(messages.Select(m => Task.Run(() => trunk.SendAsync(2, m, CancellationToken.None).AsTask())));
            int expectedBytes = messages.Sum(m => MuxFrameWriter.EncodedLength(m.Length));
            byte[] wire = new byte[expectedBytes];
            int read = 0;
            while (read < wire.Length)
            {
                read += await runtime.ReceiveAsync(wire.AsMemory(read));
            }

            await sends;
            var buffer = new ReadOnlySequence<byte>(wire);
            var frames = new List<byte[]>();
            while (MuxFrames.TryReadFrame(ref buffer, out _, out ReadOnlySequence<byte> payload))
            {
                frames.Add(payload.ToArray());
            }

            // Frames come in (4096-byte head, tail) pairs, each pair one message.
            Assert.Equal(32, frames.Count);
            for (int i = 0; i < frames.Count; i += 2)
            {
                byte[] message = [.. frames[i], .. frames[i + 1]];
                Assert.Equal(4096, frames[i].Length);
                Assert.Contains(messages, m => m.SequenceEqual(message));
            }
        }
    }

    [Fact]
    public async Task A_frame_is_passed_on_as_it_arrives_and_its_blocks_are_unmapped_once_read()
    {
        (Socket runtime, Socket plugin) = SocketPair.Create();
        var pool = new MappedBlockPool();
        using (runtime)
        {
            await using var trunk = new MuxTrunk(new NetworkStream(plugin, ownsSocket: true), new CollectingLog(), BufferLimit, pool);
            Task reader = trunk.RunAsync(CancellationToken.None);

            // One 4 MiB frame on conn 1, sent in two halves with a pause between: the first half
            // must reach the connection before the frame is complete.
            const int Size = 4 << 20;
            byte[] frame = new byte[8 + Size];
            BinaryPrimitives.WriteUInt32BigEndian(frame, 1);
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), Size);
            frame.AsSpan(8).Fill(0x5a);
            await runtime.SendAsync(frame.AsMemory(0, 8 + (Size / 2)));
            PipeReader input = trunk.PluginService.Input;
            long seen = 0;
            while (seen < Size / 2)
            {
                ReadResult partial = await input.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
                seen = partial.Buffer.Length;
                input.AdvanceTo(partial.Buffer.Start, partial.Buffer.End);
            }

            await runtime.SendAsync(frame.AsMemory(8 + (Size / 2)));
            ReadResult whole;
            do
            {
                whole = await input.ReadAsync();
                if (whole.Buffer.Length < Size)
                {
                    input.AdvanceTo(whole.Buffer.Start, whole.Buffer.End);
                }
            }
            while (whole.Buffer.Length < Size);

            int mappedWhileHeld = pool.MappedBlocks;
            Assert.True(whole.Buffer.ToArray().All(b => b == 0x5a));
            input.AdvanceTo(whole.Buffer.End);

            // The message's blocks are unmapped; a few stay for the next message, plus what the
            // trunk's reader holds.
            Assert.True(mappedWhileHeld >= Size / MappedBlockPool.BlockSize, $"{mappedWhileHeld} blocks mapped while 4 MiB was held");
            Assert.InRange(pool.MappedBlocks, 0, MappedBlockPool.MaxFreeBlocks + 2);
            trunk.Abort("done");
            await reader.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }
}
