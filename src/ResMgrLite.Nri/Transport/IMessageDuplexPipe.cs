using System.IO.Pipelines;

namespace ResMgrLite.Nri.Transport;

/// <summary>
/// One logical connection as a message protocol sees it: the peer's bytes arrive as a stream on
/// <see cref="Input"/>, and every <see cref="SendAsync"/> puts one whole message on the wire, never
/// mixed with another message's bytes. How the bytes are framed is the transport's business.
/// </summary>
internal interface IMessageDuplexPipe
{
    /// <summary>The peer's bytes; completes when the connection ends.</summary>
    PipeReader Input { get; }

    /// <summary>
    /// Unread bytes <see cref="Input"/> holds before the connection stops reading the peer: a
    /// reader that waits for more than this without consuming would wait forever.
    /// </summary>
    long HoldLimit { get; }

    /// <summary>Sends one complete message. Throws <see cref="IOException"/> once the connection is closed.</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken);

    /// <summary>Closes the whole connection, e.g. after the peer broke the protocol; logged with <paramref name="reason"/>.</summary>
    void Abort(string reason);
}
