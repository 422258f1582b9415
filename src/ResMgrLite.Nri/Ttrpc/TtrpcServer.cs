using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;
using ResMgrLite.Nri.Transport;

namespace ResMgrLite.Nri.Ttrpc;

/// <summary>
/// Serves unary ttrpc calls on one logical connection (spec §3). Requests are answered
/// concurrently and in any order; a failing handler becomes an error status, never a crash.
/// </summary>
internal sealed class TtrpcServer
{
    /// <summary>Requests handled at once; further requests wait in the connection's bounded queue.</summary>
    public const int MaxConcurrentRequests = 64;

    private readonly MuxTrunk _trunk;
    private readonly uint _connId;
    private readonly ITtrpcDispatcher _dispatcher;
    private readonly IProtocolLog _log;
    private readonly SemaphoreSlim _inFlight = new(MaxConcurrentRequests, MaxConcurrentRequests);
    private uint _lastStreamId;
    private long _skipRemaining;
    private uint _skipStreamId;

    public TtrpcServer(MuxTrunk trunk, uint connId, ITtrpcDispatcher dispatcher, IProtocolLog log)
    {
        _trunk = trunk;
        _connId = connId;
        _dispatcher = dispatcher;
        _log = log;
    }

    /// <summary>Serves until the connection ends. Protocol violations end it with a logged reason.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        PipeReader input = _trunk.Input(_connId);
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
                            if (!Skip(ref buffer))
                            {
                                break;
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
                            _log.Write(ProtocolLogLevel.Warning, $"conn {_connId} stream {header.StreamId}: discarding oversized {header.DataLength}-byte message");
                            _skipRemaining = header.DataLength;
                            _skipStreamId = header.StreamId;
                            continue;
                        }

                        await AcceptAsync(header, data, cancellationToken).ConfigureAwait(false);
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
            _log.Write(ProtocolLogLevel.Error, $"closing NRI connection: conn {_connId}: {ex.Message}");
            _trunk.Abort(ex.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
#pragma warning disable CA1031 // A bug or I/O error here ends this connection with a logged reason, never the process.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _log.Write(ProtocolLogLevel.Error, $"closing NRI connection: conn {_connId} server failed: {ex.GetType().Name}: {ex.Message}");
            _trunk.Abort(ex.Message);
        }
        finally
        {
            await input.CompleteAsync().ConfigureAwait(false);
        }
    }

    private bool Skip(ref ReadOnlySequence<byte> buffer)
    {
        long take = Math.Min(buffer.Length, _skipRemaining);
        buffer = buffer.Slice(take);
        _skipRemaining -= take;
        if (_skipRemaining > 0)
        {
            return false;
        }

        // The Go receiver answers a discarded oversized request with RESOURCE_EXHAUSTED (spec §3.1).
        uint streamId = _skipStreamId;
        _ = ReplyErrorAsync(streamId, TtrpcStatusCode.ResourceExhausted, $"message length exceeds maximum of {TtrpcFrameReader.MaxDataLength} bytes");
        return true;
    }

    private async ValueTask AcceptAsync(TtrpcMessageHeader header, ReadOnlySequence<byte> data, CancellationToken cancellationToken)
    {
        if (header.Type != TtrpcMessageType.Request)
        {
            _log.Write(ProtocolLogLevel.Warning, $"conn {_connId} stream {header.StreamId}: ignoring ttrpc {header.Type} message sent to a server");
            return;
        }

        // Stream id rules and messages as the Go server has them (spec §3.3).
        if ((header.StreamId & 1) == 0)
        {
            _ = ReplyErrorAsync(header.StreamId, TtrpcStatusCode.InvalidArgument, "StreamID must be odd for client initiated streams");
            return;
        }

        if (header.StreamId <= _lastStreamId)
        {
            _ = ReplyErrorAsync(header.StreamId, TtrpcStatusCode.InvalidArgument, "StreamID cannot be re-used and must increment");
            return;
        }

        _lastStreamId = header.StreamId;

        Request request;
        try
        {
            request = Request.Parser.ParseFrom(data);
        }
        catch (InvalidProtocolBufferException ex)
        {
            _ = ReplyErrorAsync(header.StreamId, TtrpcStatusCode.InvalidArgument, $"invalid ttrpc request: {ex.Message}");
            return;
        }

        await _inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
        _ = HandleAsync(header.StreamId, request, cancellationToken);
    }

    private async Task HandleAsync(uint streamId, Request request, CancellationToken connectionToken)
    {
        try
        {
            // Yield so the read loop goes on while this request is handled.
            await Task.Yield();
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(connectionToken);
            if (request.TimeoutNano > 0)
            {
                deadline.CancelAfter(TimeSpan.FromTicks(Math.Max(1, request.TimeoutNano / 100)));
            }

            Response response;
            try
            {
                IMessage reply = await _dispatcher.DispatchAsync(request.Service, request.Method, request.Payload, deadline.Token).ConfigureAwait(false);
                response = new Response { Payload = reply.ToByteString() };
            }
            catch (Exception ex)
            {
                response = ErrorResponse(request, ex, deadline.IsCancellationRequested && !connectionToken.IsCancellationRequested);
            }

            await SendAsync(streamId, response).ConfigureAwait(false);
        }
        finally
        {
            _inFlight.Release();
        }
    }

    private Response ErrorResponse(Request request, Exception ex, bool deadlineExpired)
    {
        (TtrpcStatusCode code, string message) = ex switch
        {
            TtrpcStatusException status => (status.Code, status.Message),
            InvalidProtocolBufferException => (TtrpcStatusCode.Internal, $"failed to decode {request.Method} payload: {ex.Message}"),
            OperationCanceledException when deadlineExpired => (TtrpcStatusCode.DeadlineExceeded, $"{request.Method}: deadline exceeded"),
            OperationCanceledException => (TtrpcStatusCode.Cancelled, $"{request.Method}: cancelled"),
            _ => (TtrpcStatusCode.Unknown, $"{request.Method} failed: {ex.GetType().Name}: {ex.Message}"),
        };

        if (code != TtrpcStatusCode.Unimplemented)
        {
            _log.Write(ProtocolLogLevel.Warning, $"{request.Service}/{request.Method} answered with status {(int)code}: {message}");
        }

        return new Response { Status = new Status { Code = (int)code, Message = message } };
    }

    private async Task ReplyErrorAsync(uint streamId, TtrpcStatusCode code, string message)
    {
        _log.Write(ProtocolLogLevel.Warning, $"conn {_connId} stream {streamId}: answering status {(int)code}: {message}");
        await SendAsync(streamId, new Response { Status = new Status { Code = (int)code, Message = message } }).ConfigureAwait(false);
    }

    private async Task SendAsync(uint streamId, Response response)
    {
        TtrpcEncodedMessage encoded;
        try
        {
            encoded = TtrpcEncodedMessage.Create(streamId, TtrpcMessageType.Response, response);
        }
        catch (TtrpcStatusException ex)
        {
            _log.Write(ProtocolLogLevel.Error, $"conn {_connId} stream {streamId}: reply not sent: {ex.Message}");
            encoded = TtrpcEncodedMessage.Create(streamId, TtrpcMessageType.Response, new Response { Status = new Status { Code = (int)ex.Code, Message = ex.Message } });
        }

        using (encoded)
        {
            try
            {
                await _trunk.SendAsync(_connId, encoded.Memory, CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The connection is gone or going; the trunk logs why.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _log.Write(ProtocolLogLevel.Debug, $"conn {_connId} stream {streamId}: reply dropped, connection closed: {ex.Message}");
            }
        }
    }
}
