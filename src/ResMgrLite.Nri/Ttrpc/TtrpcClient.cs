using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using Google.Protobuf;
using ResMgrLite.Nri.Transport;

namespace ResMgrLite.Nri.Ttrpc;

/// <summary>
/// Unary ttrpc client on one logical connection (spec §3.3): stream ids 1, 3, 5, … sent in
/// increasing order, responses matched by id in any order.
/// </summary>
internal sealed class TtrpcClient
{
    private readonly MuxTrunk _trunk;
    private readonly uint _connId;
    private readonly IProtocolLog _log;
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<Response>> _pending = new();

    // Allocating the id and writing the request happen under one lock, so ids hit the wire in order.
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private uint _nextStreamId = 1;
    private long _skipRemaining;
    private uint _skipStreamId;
    private volatile bool _closed;

    public TtrpcClient(MuxTrunk trunk, uint connId, IProtocolLog log)
    {
        _trunk = trunk;
        _connId = connId;
        _log = log;
    }

    /// <summary>
    /// Calls <paramref name="service"/>/<paramref name="method"/> and returns the reply payload.
    /// Throws <see cref="TtrpcStatusException"/> for an error status, <see cref="TimeoutException"/>
    /// when no reply came within <paramref name="timeout"/>, <see cref="IOException"/> when the
    /// connection closed first.
    /// </summary>
    public async Task<ByteString> CallAsync(string service, string method, IMessage request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var completion = new TaskCompletionSource<Response>(TaskCreationOptions.RunContinuationsAsynchronously);
        var envelope = new Request
        {
            Service = service,
            Method = method,
            Payload = request.ToByteString(),
            TimeoutNano = timeout == Timeout.InfiniteTimeSpan ? 0 : (long)timeout.TotalNanoseconds,
        };

        uint streamId;
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_closed)
            {
                throw new IOException($"{service}/{method}: the NRI connection is closed");
            }

            streamId = _nextStreamId;
            _nextStreamId += 2;
            _pending[streamId] = completion;
            using TtrpcEncodedMessage encoded = TtrpcEncodedMessage.Create(streamId, TtrpcMessageType.Request, envelope);
            try
            {
                await _trunk.SendAsync(_connId, encoded.Memory, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                _pending.TryRemove(streamId, out _);
                throw;
            }
        }
        finally
        {
            _sendLock.Release();
        }

        Response response;
        try
        {
            response = await completion.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _pending.TryRemove(streamId, out _);
            throw new TimeoutException($"{service}/{method}: no reply within {timeout.TotalMilliseconds} ms");
        }
        catch (OperationCanceledException)
        {
            _pending.TryRemove(streamId, out _);
            throw;
        }

        // The Go client treats status as an error only when present with a non-zero code (spec §3.4).
        if (response.Status is { Code: not 0 } status)
        {
            throw new TtrpcStatusException((TtrpcStatusCode)status.Code, status.Message);
        }

        return response.Payload;
    }

    /// <summary>Reads responses until the connection ends, then fails every pending call.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        PipeReader input = _trunk.Input(_connId);
        string reason = "the NRI connection closed";
        try
        {
            while (true)
            {
                ReadResult result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                try
                {
                    while (!buffer.IsEmpty || _skipRemaining == 0)
                    {
                        if (_skipRemaining > 0)
                        {
                            long take = Math.Min(buffer.Length, _skipRemaining);
                            buffer = buffer.Slice(take);
                            _skipRemaining -= take;
                            if (_skipRemaining == 0)
                            {
                                Fail(_skipStreamId, new TtrpcStatusException(TtrpcStatusCode.ResourceExhausted, "reply exceeds the ttrpc maximum message size"));
                            }

                            continue;
                        }

                        TtrpcReadStatus status = TtrpcFrameReader.TryReadMessage(ref buffer, out TtrpcMessageHeader header, out ReadOnlySequence<byte> data);
                        if (status == TtrpcReadStatus.Incomplete)
                        {
                            break;
                        }

                        if (status == TtrpcReadStatus.Oversized)
                        {
                            _log.Write(ProtocolLogLevel.Warning, $"conn {_connId} stream {header.StreamId}: discarding oversized {header.DataLength}-byte reply");
                            _skipRemaining = header.DataLength;
                            _skipStreamId = header.StreamId;
                            continue;
                        }

                        Accept(header, data);
                    }

                    if (result.IsCompleted)
                    {
                        return;
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
            _log.Write(ProtocolLogLevel.Error, $"closing NRI connection: conn {_connId}: {ex.Message}");
            _trunk.Abort(ex.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            reason = "cancelled";
        }
#pragma warning disable CA1031 // A bug or I/O error here ends this connection with a logged reason, never the process.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            reason = ex.Message;
            _log.Write(ProtocolLogLevel.Error, $"closing NRI connection: conn {_connId} client failed: {ex.GetType().Name}: {ex.Message}");
            _trunk.Abort(ex.Message);
        }
        finally
        {
            await input.CompleteAsync().ConfigureAwait(false);
            Close(reason);
        }
    }

    private void Accept(TtrpcMessageHeader header, ReadOnlySequence<byte> data)
    {
        if (header.Type != TtrpcMessageType.Response)
        {
            _log.Write(ProtocolLogLevel.Warning, $"conn {_connId} stream {header.StreamId}: ignoring ttrpc {header.Type} message sent to a client");
            return;
        }

        if (!_pending.TryRemove(header.StreamId, out TaskCompletionSource<Response>? completion))
        {
            // As the Go client does for unknown or finished streams (spec §3.3).
            _log.Write(ProtocolLogLevel.Warning, $"conn {_connId}: dropping response for unknown stream {header.StreamId}");
            return;
        }

        try
        {
            completion.TrySetResult(Response.Parser.ParseFrom(data));
        }
        catch (InvalidProtocolBufferException ex)
        {
            completion.TrySetException(new TtrpcStatusException(TtrpcStatusCode.Internal, $"invalid ttrpc response: {ex.Message}"));
        }
    }

    private void Fail(uint streamId, Exception error)
    {
        if (_pending.TryRemove(streamId, out TaskCompletionSource<Response>? completion))
        {
            completion.TrySetException(error);
        }
    }

    private void Close(string reason)
    {
        _closed = true;
        foreach (uint streamId in _pending.Keys)
        {
            Fail(streamId, new IOException($"the NRI connection closed before the reply: {reason}"));
        }
    }
}
