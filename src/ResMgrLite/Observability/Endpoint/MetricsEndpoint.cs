using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ResMgrLite.Nri;
using ResMgrLite.Observability.Metrics;

namespace ResMgrLite.Observability.Endpoint;

/// <summary>
/// The scrape endpoint: minimal HTTP/1.1 with one request per connection. <c>GET /metrics</c>
/// answers the exposition (OpenMetrics when the Accept header asks for it), <c>GET /healthz</c>
/// answers <c>ok</c>; any other path is 404, any other method 405, anything unparsable 400.
/// One thread of its own multiplexes the listener and at most <see cref="MaxConnections"/>
/// connections with poll(2) (no thread-pool threads, no async state machines: the first
/// version, on async sockets, cost 5 MiB of RSS after ten scrapes). Bounded so that no client can
/// take memory or time from the NRI path: more connections are closed at once with 503, a request
/// head may have at most <see cref="MaxRequestBytes"/> bytes (431 beyond) and must arrive within
/// <see cref="ReadTimeout"/> (408 after), an answer that the client does not read within
/// <see cref="WriteTimeout"/> is dropped.
/// </summary>
internal sealed class MetricsEndpoint : IAsyncDisposable
{
    public const int MaxConnections = 4;
    public const int MaxRequestBytes = 8192;
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(2);

    // How often the loop looks at the stop flag and the read deadlines when nothing arrives.
    private const int PollMilliseconds = 200;

    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();

    private readonly Socket _listener;
    private readonly Action<ExpositionFormat, StringBuilder> _render;
    private readonly StringBuilder _text = new(32 * 1024);
    private readonly ArrayBufferWriter<byte> _response = new(32 * 1024);
    private readonly Stack<byte[]> _heads = new(MaxConnections);
    private readonly Action<string> _log;
    private readonly string? _unixPath;
    private readonly TimeSpan _readTimeout;
    private readonly Thread _thread;
    private readonly List<Connection> _connections = new(MaxConnections);
    private volatile bool _stopping;

    private sealed class Connection(Socket socket, long started, byte[] head)
    {
        public Socket Socket { get; } = socket;

        public long Started { get; } = started;

        /// <summary>One of the endpoint's <see cref="MaxConnections"/> request buffers, returned at close.</summary>
        public byte[] Head { get; } = head;

        public int Length { get; set; }
    }

    private MetricsEndpoint(Socket listener, string? unixPath, Action<ExpositionFormat, StringBuilder> render, Action<string> log, TimeSpan readTimeout)
    {
        _listener = listener;
        _readTimeout = readTimeout;
        _unixPath = unixPath;
        _render = render;
        _log = log;
        _listener.Blocking = false;
        for (int i = 0; i < MaxConnections; i++)
        {
            _heads.Push(new byte[MaxRequestBytes]);
        }
        // Small stack: the loop is shallow; the rendering allocates on the heap.
        _thread = new Thread(Serve, maxStackSize: 256 * 1024) { IsBackground = true, Name = "metrics" };
        _thread.Start();
    }

    /// <summary>Where it listens (the bound port when 0 was asked for).</summary>
    public EndPoint LocalEndPoint => _listener.LocalEndPoint!;

    /// <summary>
    /// Binds and starts serving; on failure (address in use, no permission, bad address) returns
    /// null with a message that says what to change. Never throws for those.
    /// </summary>
    /// <param name="readTimeout">How long a client may take to send its request head (tests shorten it).</param>
    public static MetricsEndpoint? TryStart(string listenAddress, Action<ExpositionFormat, StringBuilder> render, Action<string> log, out string? error, TimeSpan? readTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(render);
        ArgumentNullException.ThrowIfNull(log);
        if (!ListenAddress.TryParse(listenAddress, out EndPoint? endPoint, out error))
        {
            return null;
        }
        string? unixPath = (endPoint as UnixDomainSocketEndPoint)?.ToString();
        Socket socket = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(endPoint!.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // No SO_REUSEADDR: on Linux .NET also sets SO_REUSEPORT with it, which would let a second
            // plugin bind the same port instead of reporting it in use.
            if (unixPath is not null)
            {
                RemoveStaleSocket(unixPath);
            }
            socket.Bind(endPoint!);
            socket.Listen(MaxConnections);
            return new MetricsEndpoint(socket, unixPath, render, log, readTimeout ?? ReadTimeout);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            error = e.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => $"cannot listen on {listenAddress}: the address is already in use (another process, or a second resmgrlite); choose another metrics.listenAddress",
                SocketError.AccessDenied => $"cannot listen on {listenAddress}: permission denied",
                SocketError.AddressNotAvailable => $"cannot listen on {listenAddress}: no interface of this machine has that address",
                _ => $"cannot listen on {listenAddress}: {e.Message}",
            };
            return null;
        }
        catch (IOException e)
        {
            socket.Dispose();
            error = $"cannot listen on {listenAddress}: {e.Message}";
            return null;
        }
    }

    /// <summary>A socket file left by a previous run is removed; a path someone still listens on is not.</summary>
    private static void RemoveStaleSocket(string path)
    {
        if (!Path.Exists(path) || Directory.Exists(path) || new FileInfo(path).Length != 0)
        {
            return;
        }
        try
        {
            UnixSocketDial.Connect(path).Dispose();
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            File.Delete(path);
        }
    }

    private void Serve()
    {
        var poll = new SocketPoll(MaxConnections + 1);
        var ready = new List<Connection>(MaxConnections);
        while (!_stopping)
        {
            poll.Clear();
            poll.Add(_listener);
            foreach (Connection connection in _connections)
            {
                poll.Add(connection.Socket);
            }
            if (!poll.Wait(PollMilliseconds, out int errno))
            {
                _log($"metrics endpoint: poll failed: {Host.Files.ErrorText.OfErrno(errno)}");
                Thread.Sleep(100);
                continue;
            }
            // Reading may close connections: collect the ready ones first.
            ready.Clear();
            for (int i = 0; i < _connections.Count; i++)
            {
                if (poll.IsReadable(i + 1))
                {
                    ready.Add(_connections[i]);
                }
            }
            foreach (Connection connection in ready)
            {
                ReadFrom(connection);
            }
            if (poll.IsReadable(0))
            {
                AcceptOne();
            }
            ExpireSlowRequests();
        }
        foreach (Connection connection in _connections)
        {
            connection.Socket.Dispose();
        }
        _connections.Clear();
    }

    private void AcceptOne()
    {
        Socket client;
        try
        {
            client = _listener.Accept();
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
        {
            return;
        }
        catch (SocketException e)
        {
            // EMFILE and friends: back off a little instead of spinning.
            _log($"metrics endpoint: accept failed: {e.Message}");
            Thread.Sleep(100);
            return;
        }
        if (_connections.Count >= MaxConnections)
        {
            Finish(client, Response(503, "Service Unavailable", "too many connections\n"u8));
            return;
        }
        client.Blocking = false;
        _connections.Add(new Connection(client, System.Diagnostics.Stopwatch.GetTimestamp(), _heads.Pop()));
    }

    private void ReadFrom(Connection connection)
    {
        int read;
        try
        {
            read = connection.Socket.Receive(connection.Head, connection.Length, connection.Head.Length - connection.Length, SocketFlags.None);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
        {
            return;
        }
        catch (SocketException)
        {
            read = 0;
        }
        if (read == 0)
        {
            Close(connection, answered: false);
            return;
        }
        int searchFrom = Math.Max(0, connection.Length - (HeadEnd.Length - 1));
        connection.Length += read;
        int found = connection.Head.AsSpan(searchFrom, connection.Length - searchFrom).IndexOf(HeadEnd);
        if (found >= 0)
        {
            Close(connection, Answer(connection.Head.AsSpan(0, searchFrom + found)));
        }
        else if (connection.Length == connection.Head.Length)
        {
            Close(connection, Response(431, "Request Header Fields Too Large", "request head too large\n"u8));
        }
    }

    private void ExpireSlowRequests()
    {
        for (int i = _connections.Count - 1; i >= 0; i--)
        {
            if (System.Diagnostics.Stopwatch.GetElapsedTime(_connections[i].Started) >= _readTimeout)
            {
                Close(_connections[i], Response(408, "Request Timeout", "request not received in time\n"u8));
            }
        }
    }

    /// <param name="answered">True when <see cref="_response"/> holds the answer to send.</param>
    private void Close(Connection connection, bool answered)
    {
        _connections.Remove(connection);
        _heads.Push(connection.Head);
        if (!answered)
        {
            connection.Socket.Dispose();
            return;
        }
        Finish(connection.Socket, answered);
    }

    /// <summary>Sends <see cref="_response"/> (giving up after <see cref="WriteTimeout"/>) and closes.</summary>
    private void Finish(Socket client, bool answered)
    {
        try
        {
            client.Blocking = true;
            client.SendTimeout = (int)WriteTimeout.TotalMilliseconds;
            if (answered)
            {
                client.Send(_response.WrittenSpan);
            }
            client.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // The client went away or does not read: nothing more to do for it.
        }
        finally
        {
            client.Dispose();
        }
    }

    /// <summary>Writes the response to a complete request head (request line and headers, without the blank line) into <see cref="_response"/>.</summary>
    internal bool Answer(ReadOnlySpan<byte> head)
    {
        int lineEnd = head.IndexOf("\r\n"u8);
        ReadOnlySpan<byte> requestLine = lineEnd < 0 ? head : head[..lineEnd];
        ReadOnlySpan<byte> headers = lineEnd < 0 ? [] : head[(lineEnd + 2)..];
        int firstSpace = requestLine.IndexOf((byte)' ');
        int lastSpace = requestLine.LastIndexOf((byte)' ');
        if (firstSpace <= 0 || lastSpace == firstSpace || !requestLine[(lastSpace + 1)..].StartsWith("HTTP/1."u8))
        {
            return Response(400, "Bad Request", "malformed request line\n"u8);
        }
        ReadOnlySpan<byte> method = requestLine[..firstSpace];
        ReadOnlySpan<byte> target = requestLine[(firstSpace + 1)..lastSpace];
        if (target.IsEmpty || target[0] != (byte)'/' || target.Contains((byte)' '))
        {
            return Response(400, "Bad Request", "malformed request line\n"u8);
        }
        ReadOnlySpan<byte> accept = [];
        while (!headers.IsEmpty)
        {
            int end = headers.IndexOf("\r\n"u8);
            ReadOnlySpan<byte> line = end < 0 ? headers : headers[..end];
            headers = end < 0 ? [] : headers[(end + 2)..];
            int colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                return Response(400, "Bad Request", "malformed header line\n"u8);
            }
            if (Ascii.EqualsIgnoreCase(line[..colon].Trim((byte)' '), "Accept"u8))
            {
                accept = line[(colon + 1)..];
            }
        }
        int query = target.IndexOf((byte)'?');
        ReadOnlySpan<byte> path = query >= 0 ? target[..query] : target;
        bool metrics = path.SequenceEqual("/metrics"u8);
        if (!metrics && !path.SequenceEqual("/healthz"u8))
        {
            return Response(404, "Not Found", "only /metrics and /healthz are served\n"u8);
        }
        if (!method.SequenceEqual("GET"u8))
        {
            return Response(405, "Method Not Allowed", "only GET is allowed\n"u8, "Allow: GET\r\n");
        }
        if (!metrics)
        {
            return Response(200, "OK", "ok\n"u8);
        }
        ExpositionFormat format = ExpositionFormats.FromAccept(Encoding.Latin1.GetString(accept));
        _text.Clear();
        _render(format, _text);
        int length = 0;
        foreach (ReadOnlyMemory<char> chunk in _text.GetChunks())
        {
            length += Encoding.UTF8.GetByteCount(chunk.Span);
        }
        WriteHead(200, "OK", ExpositionFormats.ContentType(format), length, "");
        foreach (ReadOnlyMemory<char> chunk in _text.GetChunks())
        {
            int written = Encoding.UTF8.GetBytes(chunk.Span, _response.GetSpan(Encoding.UTF8.GetMaxByteCount(chunk.Length)));
            _response.Advance(written);
        }
        return true;
    }

    private bool Response(int status, string reason, ReadOnlySpan<byte> body, string extraHeaders = "")
    {
        WriteHead(status, reason, "text/plain; charset=utf-8", body.Length, extraHeaders);
        _response.Write(body);
        return true;
    }

    private void WriteHead(int status, string reason, string contentType, int contentLength, string extraHeaders)
    {
        _response.ResetWrittenCount();
        string head = $"HTTP/1.1 {status} {reason}\r\nContent-Type: {contentType}\r\nContent-Length: {contentLength}\r\n{extraHeaders}Connection: close\r\n\r\n";
        int written = Encoding.ASCII.GetBytes(head, _response.GetSpan(head.Length));
        _response.Advance(written);
    }

    public ValueTask DisposeAsync()
    {
        _stopping = true;
        _thread.Join();
        _listener.Dispose();
        if (_unixPath is not null)
        {
            try
            {
                File.Delete(_unixPath);
            }
            catch (IOException)
            {
                // Someone else's now, or already gone.
            }
        }
        return ValueTask.CompletedTask;
    }
}
