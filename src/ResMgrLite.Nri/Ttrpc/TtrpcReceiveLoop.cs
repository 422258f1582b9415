using System.Buffers;
using System.IO.Pipelines;
using ResMgrLite.Nri.Transport;

namespace ResMgrLite.Nri.Ttrpc;

/// <summary>
/// The one receive loop of the ttrpc client and server: cuts messages out of a logical connection's
/// byte stream, skips oversized ones without buffering them, and closes the connection with a
/// logged reason on a protocol violation or a fault, never taking the process down.
/// </summary>
internal static class TtrpcReceiveLoop
{
    /// <summary>Runs until the connection ends; returns why it ended.</summary>
    /// <param name="name">Names the connection in log lines, e.g. "conn 1".</param>
    public static async Task<string> RunAsync(IMessageDuplexPipe connection, ITtrpcMessageSink sink, string name, IProtocolLog log, CancellationToken cancellationToken)
    {
        PipeReader input = connection.Input;
        string reason = "the NRI connection closed";

        // An oversized message is skipped as it arrives: how much of it is left, and its header.
        long skipRemaining = 0;
        TtrpcMessageHeader skipped = default;
        try
        {
            while (true)
            {
                ReadResult result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                try
                {
                    while (true)
                    {
                        if (skipRemaining > 0)
                        {
                            long take = Math.Min(buffer.Length, skipRemaining);
                            buffer = buffer.Slice(take);
                            skipRemaining -= take;
                            if (skipRemaining > 0)
                            {
                                break;
                            }

                            sink.Discarded(skipped);
                            LargeMessageHeapTrim.Request();
                            continue;
                        }

                        TtrpcReadStatus status = TtrpcFrameReader.TryReadMessage(ref buffer, out TtrpcMessageHeader header, out ReadOnlySequence<byte> data);
                        if (status == TtrpcReadStatus.Incomplete)
                        {
                            break;
                        }

                        if (status == TtrpcReadStatus.Oversized)
                        {
                            log.Write(ProtocolLogLevel.Warning, $"{name} stream {header.StreamId}: discarding oversized {header.DataLength}-byte message");
                            skipRemaining = header.DataLength;
                            skipped = header;
                            continue;
                        }

                        await sink.AcceptAsync(header, data, cancellationToken).ConfigureAwait(false);
                    }

                    if (result.IsCompleted)
                    {
                        return reason;
                    }
                }
                finally
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                }
            }
        }
        catch (ProtocolViolationException ex)
        {
            reason = ex.Message;
            log.Write(ProtocolLogLevel.Error, $"closing NRI connection: {name}: {ex.Message}");
            connection.Abort(ex.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            reason = "cancelled";
        }
#pragma warning disable CA1031 // A bug or I/O error here ends this connection with a logged reason, never the process.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            reason = ConnectionErrorText.Of(ex);
            log.Write(ProtocolLogLevel.Error, $"closing NRI connection: {name} failed: {reason}");
            connection.Abort(reason);
        }
        finally
        {
            await input.CompleteAsync().ConfigureAwait(false);
        }

        return reason;
    }
}
