using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using Google.Protobuf;
using ResMgrLite.Nri.Api;
using ResMgrLite.Nri.Ttrpc;

namespace ResMgrLite.TestSupport.FakeNri;

/// <summary>
/// The runtime side of an NRI connection, for tests: serves <c>Runtime</c> (RegisterPlugin,
/// UpdateContainers) on conn 2 and calls <c>Plugin</c> methods on conn 1. Its framing is written
/// separately from the plugin's (plain blocking reads of headers and bodies) so a bug in one is not
/// mirrored in the other. Every frame the plugin sends is recorded for split assertions.
/// </summary>
internal sealed class FakeNriRuntime : IAsyncDisposable
{
    public const string PluginService = "nri.pkg.api.v1alpha1.Plugin";
    public const string RuntimeService = "nri.pkg.api.v1alpha1.Runtime";
    private const int MuxHeaderLength = 8;
    private const int TtrpcHeaderLength = 10;
    private const int GoBufferSize = 4096;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentQueue<FakeNriFrame> _frames = new();
    private readonly ConcurrentQueue<FakeNriMessage> _messages = new();
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<FakeNriResponse>> _pending = new();
    private readonly ConcurrentQueue<UpdateContainersRequest> _updates = new();
    private readonly Dictionary<uint, List<byte>> _streams = new() { [1] = [], [2] = [] };
    private readonly TaskCompletionSource<RegisterPluginRequest> _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _updateArrived = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;
    private uint _nextStreamId = 1;

    private FakeNriRuntime(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = Task.Run(ReadLoopAsync);
    }

    /// <summary>Drives the plugin on the other end of <paramref name="runtimeEnd"/> (e.g. a socketpair).</summary>
    public static FakeNriRuntime Attach(Socket runtimeEnd) => new(runtimeEnd);

    /// <summary>Listens on a unix socket path, as containerd does for external plugins (docs/nri-rules.md §1.2).</summary>
    public static Socket Listen(string path)
    {
        File.Delete(path);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(4);
        return listener;
    }

    public static async Task<FakeNriRuntime> AcceptAsync(Socket listener, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(listener);
        Socket accepted = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
        return new FakeNriRuntime(accepted);
    }

    /// <summary>Completes with the plugin's RegisterPlugin request.</summary>
    public Task<RegisterPluginRequest> Registered => _registered.Task;

    /// <summary>Completes when the plugin closed the connection (EOF or error).</summary>
    public Task Closed => _closed.Task;

    /// <summary>
    /// When set, the runtime's own outgoing messages are cut into frames of at most this many bytes
    /// (docs/nri-rules.md §2.4 scheme 2, also used to stress the plugin's reader); otherwise the Go split.
    /// </summary>
    public int? OutgoingFrameSize { get; set; }

    /// <summary>Status code the next UpdateContainers calls are answered with (0 = success).</summary>
    public int UpdateContainersStatus { get; set; }

    /// <summary>Containers whose updates the next UpdateContainers calls name as failed (v0.12 answers).</summary>
    public IReadOnlySet<string> FailingContainers { get; set; } = new HashSet<string>();

    /// <summary>How long the runtime takes per update it applies (containerd applies them one by one).</summary>
    public TimeSpan UpdateTimePerContainer { get; set; }

    /// <summary>How many of the next UpdateContainers calls take <see cref="UpdateTimePerContainer"/> per update (the rest are answered at once).</summary>
    public int SlowUpdateCalls { get; set; }

    public IReadOnlyList<FakeNriFrame> ReceivedFrames => [.. _frames];

    public IReadOnlyList<FakeNriMessage> ReceivedMessages => [.. _messages];

    public IReadOnlyList<UpdateContainersRequest> UpdateRequests => [.. _updates];

    /// <summary>Waits for the next UpdateContainers request.</summary>
    public async Task<bool> WaitForUpdateAsync(TimeSpan timeout) => await _updateArrived.WaitAsync(timeout).ConfigureAwait(false);

    /// <summary>Sends Configure like containerd does (docs/nri-rules.md §8.3) and returns the plugin's answer.</summary>
    public Task<ConfigureResponse> ConfigureAsync(
        string config = "",
        string runtimeName = "containerd",
        string runtimeVersion = "1.7.24~ds1",
        long registrationTimeoutMs = 0,
        long requestTimeoutMs = 0,
        string nriVersion = "")
    {
        var request = new ConfigureRequest
        {
            Config = config,
            RuntimeName = runtimeName,
            RuntimeVersion = runtimeVersion,
            RegistrationTimeout = registrationTimeoutMs,
            RequestTimeout = requestTimeoutMs,
            NRIVersion = nriVersion,
        };
        return CallAsync("Configure", request, ConfigureResponse.Parser);
    }

    /// <summary>Waits for registration, then Configure and (unless null) Synchronize: the 1.7.24 external handshake.</summary>
    public async Task<ConfigureResponse> HandshakeAsync(SynchronizeRequest? synchronize = null, string config = "", string runtimeVersion = "1.7.24~ds1", string nriVersion = "")
    {
        await Registered.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        ConfigureResponse configured = await ConfigureAsync(config, runtimeVersion: runtimeVersion, nriVersion: nriVersion).ConfigureAwait(false);
        if (synchronize is not null)
        {
            await CallAsync("Synchronize", synchronize, SynchronizeResponse.Parser).ConfigureAwait(false);
        }

        return configured;
    }

    /// <summary>Calls a Plugin method; throws <see cref="TtrpcStatusException"/> for an error status.</summary>
    public async Task<TResponse> CallAsync<TResponse>(string method, IMessage request, MessageParser<TResponse> parser, TimeSpan? timeout = null)
        where TResponse : IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(parser);
        FakeNriResponse response = await CallRawAsync(PluginService, method, request.ToByteArray(), timeout).ConfigureAwait(false);
        if (response.StatusCode != 0)
        {
            throw new TtrpcStatusException((TtrpcStatusCode)response.StatusCode, response.StatusMessage);
        }

        return parser.ParseFrom(response.Payload);
    }

    /// <summary>
    /// Sends a Request on conn 1 and returns the raw ttrpc Response (status included). The
    /// service name is free so unknown services can be tried.
    /// </summary>
    public async Task<FakeNriResponse> CallRawAsync(string service, string method, byte[] payload, TimeSpan? timeout = null)
    {
        uint streamId;
        lock (_pending)
        {
            streamId = _nextStreamId;
            _nextStreamId += 2;
        }

        var completion = new TaskCompletionSource<FakeNriResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[streamId] = completion;
        var request = new Request { Service = service, Method = method, Payload = ByteString.CopyFrom(payload), TimeoutNano = 2_000_000_000 };
        await SendMessageAsync(1, streamId, 1, request.ToByteArray()).ConfigureAwait(false);
        return await completion.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    /// <summary>Next odd stream id the fake would use on conn 1 (for hand-built requests).</summary>
    public uint TakeStreamId()
    {
        lock (_pending)
        {
            uint id = _nextStreamId;
            _nextStreamId += 2;
            return id;
        }
    }

    /// <summary>Waits for the Response to a hand-built request on <paramref name="streamId"/>.</summary>
    public Task<FakeNriResponse> ExpectResponseAsync(uint streamId)
    {
        var completion = new TaskCompletionSource<FakeNriResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[streamId] = completion;
        return completion.Task;
    }

    /// <summary>Encodes a ttrpc Request envelope (for hand-built calls with chosen stream ids).</summary>
    public static byte[] EncodeRequest(string service, string method, byte[] payload) =>
        new Request { Service = service, Method = method, Payload = ByteString.CopyFrom(payload) }.ToByteArray();

    /// <summary>Frames and sends one ttrpc message on <paramref name="connId"/>.</summary>
    public async Task SendMessageAsync(uint connId, uint streamId, byte type, byte[] data, byte flags = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        byte[] message = new byte[TtrpcHeaderLength + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(message, (uint)data.Length);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), streamId);
        message[8] = type;
        message[9] = flags;
        data.CopyTo(message, TtrpcHeaderLength);
        await SendRawAsync(Frame(connId, message)).ConfigureAwait(false);
    }

    /// <summary>Writes bytes to the socket as they are: hand-built frames, garbage.</summary>
    public async Task SendRawAsync(byte[] bytes)
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(bytes).ConfigureAwait(false);
            await _stream.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Cuts a ttrpc message into mux frames the way this fake is set up to.</summary>
    public byte[] Frame(uint connId, byte[] message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var output = new MemoryStream();
        int chunk = OutgoingFrameSize ?? int.MaxValue;
        int offset = 0;
        if (OutgoingFrameSize is null && message.Length > GoBufferSize)
        {
            WriteFrame(output, connId, message.AsSpan(0, GoBufferSize));
            offset = GoBufferSize;
        }

        while (offset < message.Length)
        {
            int length = Math.Min(chunk, message.Length - offset);
            WriteFrame(output, connId, message.AsSpan(offset, length));
            offset += length;
        }

        return output.ToArray();
    }

    /// <summary>Closes the runtime's end: the plugin sees EOF, as when containerd exits (docs/nri-rules.md §6.5).</summary>
    public void Close()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already gone.
        }
        catch (ObjectDisposedException)
        {
            // Already gone.
        }

        _stream.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Close();
        try
        {
            await _reader.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
            // The reader ends with the socket.
        }

        _stop.Dispose();
        _writeLock.Dispose();
        _updateArrived.Dispose();
    }

    private static void WriteFrame(Stream output, uint connId, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[MuxHeaderLength];
        BinaryPrimitives.WriteUInt32BigEndian(header, connId);
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], (uint)payload.Length);
        output.Write(header);
        output.Write(payload);
    }

    private async Task ReadLoopAsync()
    {
        byte[] header = new byte[MuxHeaderLength];
        try
        {
            while (true)
            {
                await _stream.ReadExactlyAsync(header, _stop.Token).ConfigureAwait(false);
                uint connId = BinaryPrimitives.ReadUInt32BigEndian(header);
                int length = checked((int)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4)));
                byte[] payload = new byte[length];
                await _stream.ReadExactlyAsync(payload, _stop.Token).ConfigureAwait(false);
                _frames.Enqueue(new FakeNriFrame(connId, payload));
                if (!_streams.TryGetValue(connId, out List<byte>? stream))
                {
                    continue;
                }

                stream.AddRange(payload);
                while (TryCutMessage(connId, stream, out FakeNriMessage? message))
                {
                    _messages.Enqueue(message);
                    await HandleAsync(message).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or EndOfStreamException or SocketException)
        {
            // EOF or our own shutdown.
        }
        finally
        {
            foreach (TaskCompletionSource<FakeNriResponse> pending in _pending.Values)
            {
                pending.TrySetException(new IOException("the plugin closed the connection"));
            }

            _registered.TrySetException(new IOException("the plugin closed the connection before registering"));
            _closed.TrySetResult();
        }
    }

    private static bool TryCutMessage(uint connId, List<byte> stream, out FakeNriMessage message)
    {
        message = null!;
        if (stream.Count < TtrpcHeaderLength)
        {
            return false;
        }

        byte[] header = stream.GetRange(0, TtrpcHeaderLength).ToArray();
        int length = checked((int)BinaryPrimitives.ReadUInt32BigEndian(header));
        if (stream.Count < TtrpcHeaderLength + length)
        {
            return false;
        }

        byte[] data = stream.GetRange(TtrpcHeaderLength, length).ToArray();
        stream.RemoveRange(0, TtrpcHeaderLength + length);
        message = new FakeNriMessage(connId, BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4)), header[8], header[9], data);
        return true;
    }

    private async Task HandleAsync(FakeNriMessage message)
    {
        if (message.ConnId == 1 && message.Type == 2)
        {
            if (_pending.TryRemove(message.StreamId, out TaskCompletionSource<FakeNriResponse>? completion))
            {
                Response reply = Response.Parser.ParseFrom(message.Data);
                completion.TrySetResult(new FakeNriResponse(
                    reply.Status?.Code ?? 0,
                    reply.Status?.Message ?? string.Empty,
                    reply.Payload.ToByteArray(),
                    message.Data.Length));
            }

            return;
        }

        if (message.ConnId != 2 || message.Type != 1)
        {
            return;
        }

        Request request = Request.Parser.ParseFrom(message.Data);
        Response response = new();
        if (request.Service != RuntimeService)
        {
            response.Status = new Status { Code = 12, Message = $"service {request.Service}" };
        }
        else if (request.Method == "RegisterPlugin")
        {
            _registered.TrySetResult(RegisterPluginRequest.Parser.ParseFrom(request.Payload));
        }
        else if (request.Method == "UpdateContainers")
        {
            UpdateContainersRequest updates = UpdateContainersRequest.Parser.ParseFrom(request.Payload);
            _updates.Enqueue(updates);
            if (UpdateContainersStatus != 0)
            {
                // What 1.7.24 answers on any failed update (docs/nri-rules.md §7.5).
                response.Status = new Status { Code = UpdateContainersStatus, Message = "NRI update of some containers failed" };
            }
            else
            {
                var answer = new UpdateContainersResponse();
                answer.Failed.AddRange(updates.Update.Where(u => FailingContainers.Contains(u.ContainerId)));
                response.Payload = answer.ToByteString();
            }

            bool slow = SlowUpdateCalls > 0;
            SlowUpdateCalls--;
            _updateArrived.Release();
            if (slow)
            {
                // Answered later, off the receive loop, like a runtime that is still applying them.
                TimeSpan applying = UpdateTimePerContainer * updates.Update.Count;
                _ = Task.Delay(applying).ContinueWith(_ => SendMessageAsync(2, message.StreamId, 2, response.ToByteArray()), TaskScheduler.Default);
                return;
            }
        }
        else
        {
            response.Status = new Status { Code = 12, Message = $"method {request.Method}" };
        }

        await SendMessageAsync(2, message.StreamId, 2, response.ToByteArray()).ConfigureAwait(false);
    }
}
