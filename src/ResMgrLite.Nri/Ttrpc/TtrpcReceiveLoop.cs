using System.Buffers;
using System.IO.Pipelines;
using ResMgrLite.Nri.Transport;

namespace ResMgrLite.Nri.Ttrpc;

/// <summary>
/// The one receive loop of the ttrpc client and server: cuts messages out of a logical connection's
/// byte stream, skips oversized ones without buffering them, and closes the connection with a
/// logged reason on a protocol violation or a fault, never taking the process down. A message
/// larger than the connection holds unread is taken out as it arrives: a request whose method
/// decodes its payload piece by piece (Synchronize) is streamed to it, anything else is assembled
/// in a buffer of its own. So a multi-megabyte Synchronize is never held whole.
/// </summary>
internal static class TtrpcReceiveLoop
{
    /// <summary>Runs until the connection ends; returns why it ended.</summary>
    /// <param name="name">Names the connection in log lines, e.g. "conn 1".</param>
    public static async Task<string> RunAsync(IMessageDuplexPipe connection, ITtrpcMessageSink sink, string name, IProtocolLog log, CancellationToken cancellationToken)
    {
        PipeReader input = connection.Input;
        long holdLimit = connection.HoldLimit;
        string reason = "the NRI connection closed";
        var large = new LargeMessage(holdLimit);
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
                        if (large.Active)
                        {
                            if (!await large.TakeAsync(sink, ref buffer, name, log, cancellationToken).ConfigureAwait(false))
                            {
                                break;
                            }

                            continue;
                        }

                        TtrpcReadStatus status = TtrpcFrameReader.TryReadMessage(ref buffer, holdLimit, out TtrpcMessageHeader header, out ReadOnlySequence<byte> data);
                        switch (status)
                        {
                            case TtrpcReadStatus.Incomplete:
                                break;
                            case TtrpcReadStatus.Oversized:
                                log.Write(ProtocolLogLevel.Warning, $"{name} stream {header.StreamId}: discarding oversized {header.DataLength}-byte message");
                                large.Skip(header);
                                continue;
                            case TtrpcReadStatus.TooLargeToHold:
                                large.Begin(header);
                                continue;
                            default:
                                await sink.AcceptAsync(header, data, cancellationToken).ConfigureAwait(false);
                                continue;
                        }

                        break;
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

    /// <summary>The message being taken out of the connection as it arrives: skipped, streamed or assembled.</summary>
    private sealed class LargeMessage(long holdLimit)
    {
        private enum Phase { None, Skip, Probe, Stream, Trailer, Assemble }

        private Phase _phase;
        private TtrpcMessageHeader _header;

        // Bytes of the message's data still to come in the current phase.
        private long _remaining;
        private long _trailerLength;
        private ITtrpcRequestStream? _stream;
        private byte[]? _assembled;

        public bool Active => _phase != Phase.None;

        public void Skip(TtrpcMessageHeader header)
        {
            _header = header;
            _remaining = header.DataLength;
            _phase = Phase.Skip;
        }

        public void Begin(TtrpcMessageHeader header)
        {
            _header = header;
            _remaining = header.DataLength;
            _phase = header.Type == TtrpcMessageType.Request ? Phase.Probe : Phase.Assemble;
        }

        /// <summary>Takes what it can of <paramref name="buffer"/>; false when it needs more bytes.</summary>
        public ValueTask<bool> TakeAsync(ITtrpcMessageSink sink, ref ReadOnlySequence<byte> buffer, string name, IProtocolLog log, CancellationToken cancellationToken)
        {
            switch (_phase)
            {
                case Phase.Skip:
                    {
                        long take = Math.Min(buffer.Length, _remaining);
                        buffer = buffer.Slice(take);
                        _remaining -= take;
                        if (_remaining > 0)
                        {
                            return ValueTask.FromResult(false);
                        }

                        _phase = Phase.None;
                        sink.Discarded(_header);
                        LargeMessageHeapTrim.Request();
                        return ValueTask.FromResult(true);
                    }

                case Phase.Probe:
                    return ValueTask.FromResult(Probe(sink, ref buffer, name, log));

                case Phase.Stream:
                    {
                        if (buffer.IsEmpty)
                        {
                            return ValueTask.FromResult(false);
                        }

                        long take = Math.Min(buffer.Length, _remaining);
                        _remaining -= take;
                        _stream!.Feed(buffer.Slice(0, take), isEnd: _remaining == 0);
                        buffer = buffer.Slice(take);
                        if (_remaining == 0)
                        {
                            _phase = Phase.Trailer;
                        }

                        return ValueTask.FromResult(true);
                    }

                case Phase.Trailer:
                    {
                        if (buffer.Length < _trailerLength)
                        {
                            return ValueTask.FromResult(false);
                        }

                        ReadOnlySequence<byte> trailer = buffer.Slice(0, _trailerLength);
                        buffer = buffer.Slice(_trailerLength);
                        ITtrpcRequestStream stream = _stream!;
                        _stream = null;
                        _phase = Phase.None;
                        return CompleteAsync(stream, trailer, cancellationToken);
                    }

                default:
                    return Assemble(sink, ref buffer, cancellationToken);
            }
        }

        private static async ValueTask<bool> CompleteAsync(ITtrpcRequestStream stream, ReadOnlySequence<byte> trailer, CancellationToken cancellationToken)
        {
            await stream.CompleteAsync(trailer, cancellationToken).ConfigureAwait(false);
            return true;
        }

        private bool Probe(ITtrpcMessageSink sink, ref ReadOnlySequence<byte> buffer, string name, IProtocolLog log)
        {
            long dataLength = _header.DataLength;
            ReadOnlySequence<byte> start = buffer.Slice(0, Math.Min(buffer.Length, dataLength));
            TtrpcPrefixStatus status = TtrpcRequestEnvelope.TryReadPrefix(start, dataLength, out string service, out string method, out long payloadOffset, out long payloadLength);
            if (status == TtrpcPrefixStatus.Incomplete)
            {
                if (start.Length < dataLength)
                {
                    return false;
                }

                status = TtrpcPrefixStatus.NotStreamable;
            }

            long trailerLength = dataLength - payloadOffset - payloadLength;

            // The fields after the payload wait whole in the connection: only a small tail is streamed.
            if (status == TtrpcPrefixStatus.Found && trailerLength <= holdLimit / 2)
            {
                _stream = sink.BeginStream(_header, service, method, payloadLength);
                if (_stream is not null)
                {
                    if (log.IsEnabled(ProtocolLogLevel.Debug))
                    {
                        log.Write(ProtocolLogLevel.Debug, $"{name} stream {_header.StreamId}: streaming the {payloadLength}-byte payload of {method}");
                    }

                    buffer = buffer.Slice(payloadOffset);
                    _remaining = payloadLength;
                    _trailerLength = trailerLength;
                    _phase = payloadLength > 0 ? Phase.Stream : Phase.Trailer;
                    if (payloadLength == 0)
                    {
                        _stream.Feed(ReadOnlySequence<byte>.Empty, isEnd: true);
                    }

                    return true;
                }
            }

            _phase = Phase.Assemble;
            return true;
        }

        private ValueTask<bool> Assemble(ITtrpcMessageSink sink, ref ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            // The message is within the ttrpc maximum: it was bounded before anything was held for it.
            _assembled ??= GC.AllocateUninitializedArray<byte>((int)_header.DataLength);
            long filled = _header.DataLength - _remaining;
            long take = Math.Min(buffer.Length, _remaining);
            buffer.Slice(0, take).CopyTo(_assembled.AsSpan((int)filled));
            buffer = buffer.Slice(take);
            _remaining -= take;
            if (_remaining > 0)
            {
                return ValueTask.FromResult(false);
            }

            byte[] data = _assembled;
            _assembled = null;
            _phase = Phase.None;
            return AcceptAsync(sink, _header, data, cancellationToken);
        }

        private static async ValueTask<bool> AcceptAsync(ITtrpcMessageSink sink, TtrpcMessageHeader header, byte[] data, CancellationToken cancellationToken)
        {
            await sink.AcceptAsync(header, new ReadOnlySequence<byte>(data), cancellationToken).ConfigureAwait(false);
            return true;
        }
    }
}
