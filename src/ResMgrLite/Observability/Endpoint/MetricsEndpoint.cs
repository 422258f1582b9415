using System.Net;
using System.Net.Sockets;
using System.Text;
using ResMgrLite.Observability.Metrics;

namespace ResMgrLite.Observability.Endpoint;

/// <summary>
/// The scrape endpoint: minimal HTTP/1.1 with one request per connection. <c>GET /metrics</c>
/// answers the exposition (OpenMetrics when the Accept header asks for it), <c>GET /healthz</c>
/// answers <c>ok</c>; any other path is 404, any other method 405, anything unparsable 400.
/// Bounded so that no client can take memory or threads from the NRI path: at most
/// <see cref="MaxConnections"/> connections at once (more are closed at once with 503), a request
/// head of at most <see cref="MaxRequestBytes"/> bytes (431 beyond), and <see cref="ReadTimeout"/>
/// to send it (408 after). It runs as one async accept loop on the thread pool.
/// </summary>
internal sealed class MetricsEndpoint : IAsyncDisposable
{
    public const int MaxConnections = 4;
    public const int MaxRequestBytes = 8192;
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(5);

    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();

    private readonly Socket _listener;
    private readonly Func<ExpositionFormat, string> _render;
    private readonly Action<string> _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly string? _unixPath;
    private readonly TimeSpan _readTimeout;
    private readonly Task _acceptLoop;
    private int _connections;

    private MetricsEndpoint(Socket listener, string? unixPath, Func<ExpositionFormat, string> render, Action<string> log, TimeSpan readTimeout)
    {
        _listener = listener;
        _readTimeout = readTimeout;
        _unixPath = unixPath;
        _render = render;
        _log = log;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Where it listens (the bound port when 0 was asked for).</summary>
    public EndPoint LocalEndPoint => _listener.LocalEndPoint!;

    /// <summary>
    /// Binds and starts serving; on failure (address in use, no permission, bad address) returns
    /// null with a message that says what to change. Never throws for those.
    /// </summary>
    /// <param name="readTimeout">How long a client may take to send its request head (tests shorten it).</param>
    public static MetricsEndpoint? TryStart(string listenAddress, Func<ExpositionFormat, string> render, Action<string> log, out string? error, TimeSpan? readTimeout = null)
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
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            File.Delete(path);
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // EMFILE and friends: back off a little instead of spinning.
                _log($"metrics endpoint: accept failed: {e.Message}");
                await Task.Delay(100).ConfigureAwait(false);
                continue;
            }
            if (Interlocked.Increment(ref _connections) > MaxConnections)
            {
                Interlocked.Decrement(ref _connections);
                RefuseBusy(client);
                continue;
            }
            _ = ServeAsync(client);
        }
    }

    private static void RefuseBusy(Socket client)
    {
        try
        {
            client.Blocking = false;
            client.Send(Response(503, "Service Unavailable", "text/plain; charset=utf-8", "too many connections\n"u8.ToArray()));
        }
        catch (SocketException)
        {
            // The client is gone or not reading: closing is all that is left.
        }
        client.Dispose();
    }

    private async Task ServeAsync(Socket client)
    {
        try
        {
            byte[] head = new byte[MaxRequestBytes];
            int length = 0;
            int end = -1;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
            {
                timeout.CancelAfter(_readTimeout);
                try
                {
                    while (end < 0)
                    {
                        if (length == head.Length)
                        {
                            await SendAsync(client, Response(431, "Request Header Fields Too Large", "text/plain; charset=utf-8", "request head too large\n"u8.ToArray())).ConfigureAwait(false);
                            return;
                        }
                        int read = await client.ReceiveAsync(head.AsMemory(length), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                        if (read == 0)
                        {
                            return;
                        }
                        int searchFrom = Math.Max(0, length - (HeadEnd.Length - 1));
                        length += read;
                        int found = head.AsSpan(searchFrom, length - searchFrom).IndexOf(HeadEnd);
                        end = found < 0 ? -1 : searchFrom + found;
                    }
                }
                catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
                {
                    await SendAsync(client, Response(408, "Request Timeout", "text/plain; charset=utf-8", "request not received in time\n"u8.ToArray())).ConfigureAwait(false);
                    return;
                }
            }
            await SendAsync(client, Answer(head.AsSpan(0, end))).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // A client that went away mid-request: nothing to answer.
        }
        finally
        {
            try
            {
                client.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
                // Already reset by the peer.
            }
            client.Dispose();
            Interlocked.Decrement(ref _connections);
        }
    }

    private async Task SendAsync(Socket client, byte[] response)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(WriteTimeout);
        int sent = 0;
        while (sent < response.Length)
        {
            sent += await client.SendAsync(response.AsMemory(sent), SocketFlags.None, timeout.Token).ConfigureAwait(false);
        }
    }

    /// <summary>The response to a complete request head (request line and headers, without the blank line).</summary>
    internal byte[] Answer(ReadOnlySpan<byte> head)
    {
        string text = Encoding.Latin1.GetString(head);
        string[] lines = text.Split("\r\n");
        string[] requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal) || requestLine[0].Length == 0 || !requestLine[1].StartsWith('/'))
        {
            return Response(400, "Bad Request", "text/plain; charset=utf-8", "malformed request line\n"u8.ToArray());
        }
        string accept = "";
        for (int i = 1; i < lines.Length; i++)
        {
            int colon = lines[i].IndexOf(':');
            if (colon <= 0)
            {
                return Response(400, "Bad Request", "text/plain; charset=utf-8", "malformed header line\n"u8.ToArray());
            }
            if (lines[i].AsSpan(0, colon).Trim().Equals("Accept", StringComparison.OrdinalIgnoreCase))
            {
                accept = lines[i][(colon + 1)..];
            }
        }
        string path = requestLine[1];
        int query = path.IndexOf('?');
        if (query >= 0)
        {
            path = path[..query];
        }
        if (path is not ("/metrics" or "/healthz"))
        {
            return Response(404, "Not Found", "text/plain; charset=utf-8", "only /metrics and /healthz are served\n"u8.ToArray());
        }
        if (requestLine[0] != "GET")
        {
            return Response(405, "Method Not Allowed", "text/plain; charset=utf-8", "only GET is allowed\n"u8.ToArray(), "Allow: GET\r\n");
        }
        if (path == "/healthz")
        {
            return Response(200, "OK", "text/plain; charset=utf-8", "ok\n"u8.ToArray());
        }
        ExpositionFormat format = ExpositionFormats.FromAccept(accept);
        return Response(200, "OK", ExpositionFormats.ContentType(format), Encoding.UTF8.GetBytes(_render(format)));
    }

    private static byte[] Response(int status, string reason, string contentType, byte[] body, string extraHeaders = "")
    {
        string head = $"HTTP/1.1 {status} {reason}\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length}\r\n{extraHeaders}Connection: close\r\n\r\n";
        byte[] headBytes = Encoding.ASCII.GetBytes(head);
        byte[] response = new byte[headBytes.Length + body.Length];
        headBytes.CopyTo(response, 0);
        body.CopyTo(response, headBytes.Length);
        return response;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
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
        _stop.Dispose();
    }
}
