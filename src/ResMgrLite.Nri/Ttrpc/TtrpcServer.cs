using System.Buffers;
using Google.Protobuf;
using ResMgrLite.Nri.Protobuf;
using ResMgrLite.Nri.Transport;

namespace ResMgrLite.Nri.Ttrpc;

/// <summary>
/// Serves unary ttrpc calls on one logical connection (docs/nri-rules.md §3). Requests are decoded on the
/// receive loop straight from its buffer and answered concurrently, in any order; a failing handler
/// becomes an error status, never a crash.
/// </summary>
internal sealed class TtrpcServer : ITtrpcMessageSink
{
    /// <summary>Requests handled at once; further requests wait in the connection's bounded queue.</summary>
    public const int MaxConcurrentRequests = 64;

    private readonly IMessageDuplexPipe _connection;
    private readonly string _name;
    private readonly ITtrpcDispatcher _dispatcher;
    private readonly IProtocolLog _log;
    private readonly SemaphoreSlim _inFlight = new(MaxConcurrentRequests, MaxConcurrentRequests);
    private uint _lastStreamId;

    /// <param name="name">Names the connection in log lines, e.g. "conn 1".</param>
    public TtrpcServer(IMessageDuplexPipe connection, string name, ITtrpcDispatcher dispatcher, IProtocolLog log)
    {
        _connection = connection;
        _name = name;
        _dispatcher = dispatcher;
        _log = log;
    }

    /// <summary>Serves until the connection ends. Protocol violations end it with a logged reason.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        TtrpcReceiveLoop.RunAsync(_connection, this, _name, _log, cancellationToken);

    /// <summary>The Go receiver answers a discarded oversized request with RESOURCE_EXHAUSTED (docs/nri-rules.md §3.1).</summary>
    public void Discarded(TtrpcMessageHeader header) =>
        _ = ReplyErrorAsync(header.StreamId, TtrpcStatusCode.ResourceExhausted, $"message length exceeds maximum of {TtrpcFrameReader.MaxDataLength} bytes");

    public async ValueTask AcceptAsync(TtrpcMessageHeader header, ReadOnlySequence<byte> data, CancellationToken cancellationToken)
    {
        if (header.Type != TtrpcMessageType.Request)
        {
            _log.Write(ProtocolLogLevel.Warning, $"{_name} stream {header.StreamId}: ignoring ttrpc {header.Type} message sent to a server");
            return;
        }

        // Stream id rules and messages as the Go server has them (docs/nri-rules.md §3.3).
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

        TtrpcRequestEnvelope request;
        try
        {
            request = TtrpcRequestEnvelope.Read(data);
        }
        catch (ProtobufFormatException ex)
        {
            _ = ReplyErrorAsync(header.StreamId, TtrpcStatusCode.InvalidArgument, $"invalid ttrpc request: {ex.Message}");
            return;
        }

        // The dispatcher decodes the payload before it returns.
        await DispatchAsync(header.StreamId, request.Service, request.Method, request.TimeoutNano, data.Length,
            (request.Service, request.Method, request.Payload, _dispatcher), static (state, token) => state._dispatcher.DispatchAsync(state.Service, state.Method, state.Payload, token),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A request too large to wait whole in the connection: streamed to its method when it decodes
    /// piece by piece, under the same stream id rules; anything else is assembled and comes to
    /// <see cref="AcceptAsync"/>, which answers whatever is wrong with it.
    /// </summary>
    public ITtrpcRequestStream? BeginStream(TtrpcMessageHeader header, string service, string method, long payloadLength)
    {
        if (header.Type != TtrpcMessageType.Request || (header.StreamId & 1) == 0 || header.StreamId <= _lastStreamId)
        {
            return null;
        }

        ITtrpcPayloadStream? payload = _dispatcher.BeginPayloadStream(service, method, payloadLength);
        if (payload is null)
        {
            return null;
        }

        _lastStreamId = header.StreamId;
        return new StreamedRequest(this, header, service, method, payload);
    }

    /// <summary>Waits for a request slot, starts the method with the request's deadline and answers off the loop.</summary>
    private async ValueTask DispatchAsync<TState>(uint streamId, string service, string method, long timeoutNano, long requestBytes, TState state, Func<TState, CancellationToken, ValueTask<IMessage>> start, CancellationToken cancellationToken)
    {
        await _inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeoutNano > 0)
        {
            deadline.CancelAfter(TimeSpan.FromTicks(Math.Max(1, timeoutNano / 100)));
        }

        // The reply is awaited off the loop.
        ValueTask<IMessage> reply;
        try
        {
            reply = start(state, deadline.Token);
        }
#pragma warning disable CA1031 // Every handler failure becomes a status reply (docs/nri-rules.md §3.5).
        catch (Exception ex)
#pragma warning restore CA1031
        {
            reply = ValueTask.FromException<IMessage>(ex);
        }

        _ = AnswerAsync(streamId, service, method, requestBytes, reply, deadline, cancellationToken);
    }

    private async Task AnswerAsync(uint streamId, string service, string method, long requestBytes, ValueTask<IMessage> pending, CancellationTokenSource deadline, CancellationToken connectionToken)
    {
        try
        {
            TtrpcEncodedMessage encoded;
            try
            {
                IMessage reply = await pending.ConfigureAwait(false);
                encoded = TtrpcEncodedMessage.CreateResponse(streamId, reply);
            }
#pragma warning disable CA1031 // Every handler failure becomes a status reply (docs/nri-rules.md §3.5).
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Status status = ErrorStatus(service, method, ex, deadline.IsCancellationRequested && !connectionToken.IsCancellationRequested);
                encoded = EncodeError(streamId, status);
            }

            await SendAsync(streamId, encoded).ConfigureAwait(false);
        }
        finally
        {
            deadline.Dispose();
            _inFlight.Release();
            LargeMessageHeapTrim.After(requestBytes);
        }
    }

    private Status ErrorStatus(string service, string method, Exception ex, bool deadlineExpired)
    {
        (TtrpcStatusCode code, string message) = ex switch
        {
            TtrpcStatusException status => (status.Code, status.Message),
            InvalidProtocolBufferException or ProtobufFormatException => (TtrpcStatusCode.Internal, $"failed to decode {method} payload: {ex.Message}"),
            OperationCanceledException when deadlineExpired => (TtrpcStatusCode.DeadlineExceeded, $"{method}: deadline exceeded"),
            OperationCanceledException => (TtrpcStatusCode.Cancelled, $"{method}: cancelled"),
            _ => (TtrpcStatusCode.Unknown, $"{method} failed: {ex.GetType().Name}: {ex.Message}"),
        };

        if (code != TtrpcStatusCode.Unimplemented)
        {
            _log.Write(ProtocolLogLevel.Warning, $"{service}/{method} answered with status {(int)code}: {message}");
        }

        return new Status { Code = (int)code, Message = message };
    }

    private async Task ReplyErrorAsync(uint streamId, TtrpcStatusCode code, string message)
    {
        _log.Write(ProtocolLogLevel.Warning, $"{_name} stream {streamId}: answering status {(int)code}: {message}");
        await SendAsync(streamId, EncodeError(streamId, new Status { Code = (int)code, Message = message })).ConfigureAwait(false);
    }

    private TtrpcEncodedMessage EncodeError(uint streamId, Status status)
    {
        try
        {
            return TtrpcEncodedMessage.Create(streamId, TtrpcMessageType.Response, new Response { Status = status });
        }
        catch (TtrpcStatusException ex)
        {
            // A status message over the ttrpc maximum (a handler's huge exception text): say that instead.
            _log.Write(ProtocolLogLevel.Error, $"{_name} stream {streamId}: reply not sent: {ex.Message}");
            return TtrpcEncodedMessage.Create(streamId, TtrpcMessageType.Response, new Response { Status = new Status { Code = (int)ex.Code, Message = ex.Message } });
        }
    }

    private async Task SendAsync(uint streamId, TtrpcEncodedMessage encoded)
    {
        using (encoded)
        {
            try
            {
                await _connection.SendAsync(encoded.Memory, CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The connection is gone or going; the trunk logs why.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _log.Write(ProtocolLogLevel.Debug, $"{_name} stream {streamId}: reply dropped, connection closed: {ConnectionErrorText.Of(ex)}");
            }
        }
    }

    /// <summary>
    /// A streamed request: feeds its payload to the method's decoder, keeps the first failure
    /// (the rest of the payload is then only read past) and answers once the request is complete,
    /// exactly as a request read whole would be answered.
    /// </summary>
    private sealed class StreamedRequest(TtrpcServer server, TtrpcMessageHeader header, string service, string method, ITtrpcPayloadStream payload) : ITtrpcRequestStream
    {
        private Exception? _failure;

        public void Feed(ReadOnlySequence<byte> piece, bool isEnd)
        {
            if (_failure is not null)
            {
                return;
            }

            try
            {
                payload.Decode(piece, isEnd);
            }
#pragma warning disable CA1031 // Answered as a status once the request is complete (docs/nri-rules.md §3.5).
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _failure = ex;
                payload.Abandon();
            }
        }

        public ValueTask CompleteAsync(ReadOnlySequence<byte> trailer, CancellationToken cancellationToken)
        {
            long timeoutNano = 0;
            try
            {
                timeoutNano = TtrpcRequestEnvelope.ReadTrailer(trailer);
            }
            catch (ProtobufFormatException ex)
            {
                if (_failure is null)
                {
                    payload.Abandon();
                }

                _ = server.ReplyErrorAsync(header.StreamId, TtrpcStatusCode.InvalidArgument, $"invalid ttrpc request: {ex.Message}");
                return ValueTask.CompletedTask;
            }

            return server.DispatchAsync(header.StreamId, service, method, timeoutNano, header.DataLength, (this, payload),
                static (state, token) => state.Item1._failure is { } failure ? ValueTask.FromException<IMessage>(failure) : state.payload.CompleteAsync(token),
                cancellationToken);
        }
    }
}
