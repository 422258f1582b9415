using Google.Protobuf;

namespace ResMgrLite.Nri.Ttrpc;

/// <summary>
/// Routes a decoded ttrpc request to its handler. Implementations throw
/// <see cref="TtrpcStatusException"/> with <see cref="TtrpcStatusCode.Unimplemented"/> and the
/// message "service NAME" / "method NAME" for unknown targets (spec §3.6).
/// </summary>
internal interface ITtrpcDispatcher
{
    ValueTask<IMessage> DispatchAsync(string service, string method, ByteString payload, CancellationToken cancellationToken);
}
