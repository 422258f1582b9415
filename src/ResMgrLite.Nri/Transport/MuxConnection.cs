using System.IO.Pipelines;

namespace ResMgrLite.Nri.Transport;

/// <summary>One logical connection of a <see cref="MuxTrunk"/>: its own incoming stream, the trunk's framed sends.</summary>
internal sealed class MuxConnection(MuxTrunk trunk, uint connId, PipeReader input) : IMessageDuplexPipe
{
    public PipeReader Input { get; } = input;

    public long HoldLimit => trunk.ResumeThreshold;

    public ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken) =>
        trunk.SendAsync(connId, message, cancellationToken);

    public void Abort(string reason) => trunk.Abort(reason);
}
