using System.Buffers;
using System.Collections.Concurrent;
using Google.Protobuf;
using ResMgrLite.Nri.Transport;

namespace ResMgrLite.Nri.Ttrpc;

/// <summary>
/// Unary ttrpc client on one logical connection (docs/nri-rules.md §3.3): stream ids 1, 3, 5, … sent in
/// increasing order, responses matched by id in any order.
/// </summary>
internal sealed class TtrpcClient : ITtrpcMessageSink
{
    private readonly IMessageDuplexPipe _connection;
    private readonly string _name;
    private readonly IProtocolLog _log;
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<Response>> _pending = new();

    // Allocating the id and writing the request happen under one lock, so ids hit the wire in order.
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private uint _nextStreamId = 1;
    private volatile bool _closed;

    /// <param name="name">Names the connection in log lines, e.g. "conn 2".</param>
    public TtrpcClient(IMessageDuplexPipe connection, string name, IProtocolLog log)
    {
        _connection = connection;
        _name = name;
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
                await _connection.SendAsync(encoded.Memory, cancellationToken).ConfigureAwait(false);
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

        // The Go client treats status as an error only when present with a non-zero code (docs/nri-rules.md §3.4).
        if (response.Status is { Code: not 0 } status)
        {
            throw new TtrpcStatusException((TtrpcStatusCode)status.Code, status.Message);
        }

        return response.Payload;
    }

    /// <summary>Reads responses until the connection ends, then fails every pending call.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        string reason = await TtrpcReceiveLoop.RunAsync(_connection, this, _name, _log, cancellationToken).ConfigureAwait(false);
        Close(reason);
    }

    /// <summary>The call whose reply was too large fails; the others go on (docs/nri-rules.md §3.1).</summary>
    public void Discarded(TtrpcMessageHeader header) =>
        Fail(header.StreamId, new TtrpcStatusException(TtrpcStatusCode.ResourceExhausted, "reply exceeds the ttrpc maximum message size"));

    public ValueTask AcceptAsync(TtrpcMessageHeader header, ReadOnlySequence<byte> data, CancellationToken cancellationToken)
    {
        if (header.Type != TtrpcMessageType.Response)
        {
            _log.Write(ProtocolLogLevel.Warning, $"{_name} stream {header.StreamId}: ignoring ttrpc {header.Type} message sent to a client");
            return ValueTask.CompletedTask;
        }

        if (!_pending.TryRemove(header.StreamId, out TaskCompletionSource<Response>? completion))
        {
            // As the Go client does for unknown or finished streams (docs/nri-rules.md §3.3).
            _log.Write(ProtocolLogLevel.Warning, $"{_name}: dropping response for unknown stream {header.StreamId}");
            return ValueTask.CompletedTask;
        }

        try
        {
            completion.TrySetResult(Response.Parser.ParseFrom(data));
        }
        catch (InvalidProtocolBufferException ex)
        {
            completion.TrySetException(new TtrpcStatusException(TtrpcStatusCode.Internal, $"invalid ttrpc response: {ex.Message}"));
        }

        LargeMessageHeapTrim.After(data.Length);
        return ValueTask.CompletedTask;
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
        // The dictionary itself, not its Keys: that snapshot is a ReadOnlyCollection<uint>, whose
        // ICollection.CopyTo checks array types with Type.IsAssignableFrom and so alone kept the
        // reflection type loader in the image. Removing entries while enumerating is allowed here.
        foreach (KeyValuePair<uint, TaskCompletionSource<Response>> pending in _pending)
        {
            Fail(pending.Key, new IOException($"the NRI connection closed before the reply: {reason}"));
        }
    }
}
