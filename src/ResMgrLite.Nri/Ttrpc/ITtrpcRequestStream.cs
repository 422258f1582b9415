using System.Buffers;

namespace ResMgrLite.Nri.Ttrpc;

/// <summary>A request taken out of its connection as it arrives (<see cref="ITtrpcMessageSink.BeginStream"/>).</summary>
internal interface ITtrpcRequestStream
{
    /// <summary>
    /// The next piece of the payload, taken whole (it is released when this returns);
    /// <paramref name="isEnd"/> on the last one. A malformed payload is not thrown here: it is
    /// answered once the request is complete, like a request read whole.
    /// </summary>
    void Feed(ReadOnlySequence<byte> piece, bool isEnd);

    /// <summary>The request's fields after the payload have arrived: the request is complete.</summary>
    ValueTask CompleteAsync(ReadOnlySequence<byte> trailer, CancellationToken cancellationToken);
}
