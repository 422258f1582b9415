using System.Buffers;
using Google.Protobuf;

namespace ResMgrLite.Nri.Ttrpc;

/// <summary>
/// Routes a ttrpc request to its handler. Implementations throw <see cref="TtrpcStatusException"/>
/// with <see cref="TtrpcStatusCode.Unimplemented"/> and the message "service NAME" / "method NAME"
/// for unknown targets (docs/nri-rules.md §3.6).
/// </summary>
internal interface ITtrpcDispatcher
{
    /// <summary>
    /// Called on the connection's receive loop. <paramref name="payload"/> lies in the receive
    /// buffer and is valid only until this method returns (its synchronous part, for an async
    /// implementation): decode it first, then yield before any slow work, because later requests
    /// on the connection wait until this returns. The task's result is the reply.
    /// </summary>
    ValueTask<IMessage> DispatchAsync(string service, string method, ReadOnlySequence<byte> payload, CancellationToken cancellationToken);

    /// <summary>
    /// Called on the receive loop for a request too large to wait whole in the connection: a
    /// decoder that takes its payload piece by piece, or null to have it assembled and passed to
    /// <see cref="DispatchAsync"/>.
    /// </summary>
    ITtrpcPayloadStream? BeginPayloadStream(string service, string method, long payloadLength) => null;
}
