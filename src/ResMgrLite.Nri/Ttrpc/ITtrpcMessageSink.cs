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

    /// <summary>
    /// A request too large to wait whole in the connection, whose service and method have arrived:
    /// a stream that takes its payload as it arrives, or null to have the request assembled in a
    /// buffer of its own and passed to <see cref="AcceptAsync"/>.
    /// </summary>
    ITtrpcRequestStream? BeginStream(TtrpcMessageHeader header, string service, string method, long payloadLength) => null;
}
