using System.Buffers;

namespace ResMgrLite.Nri.Tests.Support;

/// <summary>Builds multi-segment sequences, optionally with empty segments between the data ones.</summary>
internal static class SequenceFactory
{
    public static ReadOnlySequence<byte> Segmented(ReadOnlySpan<byte> data, int segmentSize, bool emptyBetween)
    {
        var chunks = new List<byte[]>();
        for (int offset = 0; offset < data.Length; offset += segmentSize)
        {
            if (emptyBetween)
            {
                chunks.Add([]);
            }

            chunks.Add(data.Slice(offset, Math.Min(segmentSize, data.Length - offset)).ToArray());
        }

        if (emptyBetween)
        {
            chunks.Add([]);
        }

        if (chunks.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(chunks[0], 0);
        Segment last = first;
        for (int i = 1; i < chunks.Count; i++)
        {
            last = last.Append(chunks[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
