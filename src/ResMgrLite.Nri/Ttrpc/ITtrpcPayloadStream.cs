using System.Buffers;
using Google.Protobuf;

namespace ResMgrLite.Nri.Ttrpc;

/// <summary>A method's payload decoded piece by piece as it arrives (<see cref="ITtrpcDispatcher.BeginPayloadStream"/>).</summary>
internal interface ITtrpcPayloadStream
{
    /// <summary>Decodes the next piece (valid only during the call); throws for a malformed payload.</summary>
    void Decode(ReadOnlySequence<byte> piece, bool isEnd);

    /// <summary>Every piece was decoded: the reply. Called once, unless <see cref="Abandon"/> was.</summary>
    ValueTask<IMessage> CompleteAsync(CancellationToken cancellationToken);

    /// <summary>A piece failed to decode or the request was refused: drop what was decoded.</summary>
    void Abandon();
}
