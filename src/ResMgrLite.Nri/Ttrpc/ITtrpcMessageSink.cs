using System.Buffers;

namespace ResMgrLite.Nri.Ttrpc;

/// <summary>What a ttrpc endpoint does with the messages <see cref="TtrpcReceiveLoop"/> cuts out of its connection.</summary>
internal interface ITtrpcMessageSink
{
    /// <summary>
    /// One whole message. <paramref name="data"/> lies in the connection's receive buffer, which is
    /// released when the returned task completes: decode what is needed before that.
    /// </summary>
    ValueTask AcceptAsync(TtrpcMessageHeader header, ReadOnlySequence<byte> data, CancellationToken cancellationToken);

    /// <summary>A message over the ttrpc maximum was skipped without being buffered (docs/nri-rules.md §3.1).</summary>
    void Discarded(TtrpcMessageHeader header);
}
