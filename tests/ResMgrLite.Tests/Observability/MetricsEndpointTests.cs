using System.Net;
using System.Net.Sockets;
using System.Text;
using ResMgrLite.Observability;
using ResMgrLite.Observability.Endpoint;
using ResMgrLite.Observability.Metrics;

namespace ResMgrLite.Tests.Observability;

/// <summary>The scrape endpoint over real sockets: formats, paths, methods, malformed, oversized and slow requests, limits, port in use.</summary>
public sealed class MetricsEndpointTests : IAsyncLifetime
{
    private readonly PluginMetrics _metrics = new("0.1.0", new ProcessMetrics());
    private readonly List<string> _log = [];
    private MetricsEndpoint _endpoint = null!;

    public Task InitializeAsync()
    {
        _metrics.OnCpuAllocation(AllocationSource.Node, succeeded: true);
        // Generous: a loaded test machine must not turn a request into a timeout.
        _endpoint = Start("127.0.0.1:0", TimeSpan.FromSeconds(5));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _endpoint.DisposeAsync();

    private MetricsEndpoint Start(string address, TimeSpan? readTimeout = null) =>
        MetricsEndpoint.TryStart(address, (format, text) => _metrics.Registry.RenderInto(text, format), message => { lock (_log) { _log.Add(message); } }, out string? error, readTimeout)
        ?? throw new Xunit.Sdk.XunitException(error);

    private int Port => ((IPEndPoint)_endpoint.LocalEndPoint).Port;

    /// <summary>Sends raw bytes, returns everything the server answered before closing.</summary>
    private async Task<string> ExchangeAsync(string request, EndPoint? endPoint = null)
    {
        endPoint ??= new IPEndPoint(IPAddress.Loopback, Port);
        using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, endPoint is UnixDomainSocketEndPoint ? ProtocolType.Unspecified : ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint);
        await socket.SendAsync(Encoding.ASCII.GetBytes(request));
        return await ReadToEndAsync(socket);
    }

    private static async Task<string> ReadToEndAsync(Socket socket)
    {
        var received = new MemoryStream();
        byte[] buffer = new byte[16384];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
        {
            received.Write(buffer, 0, read);
        }
        return Encoding.UTF8.GetString(received.ToArray());
    }

    private static (string Head, string Body) Split(string response)
    {
        int end = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(end > 0, $"no complete response: {response}");
        return (response[..end], response[(end + 4)..]);
    }

    [Fact]
    public async Task Get_metrics_answers_prometheus_text_a_strict_parser_accepts()
    {
        (string head, string body) = Split(await ExchangeAsync("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: text/plain\r\n\r\n"));

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", head, StringComparison.Ordinal);
        Assert.Contains("Content-Type: text/plain; version=0.0.4; charset=utf-8", head, StringComparison.Ordinal);
        Assert.Contains($"Content-Length: {Encoding.UTF8.GetByteCount(body)}", head, StringComparison.Ordinal);
        Assert.Contains("Connection: close", head, StringComparison.Ordinal);
        Assert.Equal(1, StrictExpositionParser.Parse(body, openMetrics: false)["kubelet_cpu_manager_pinning_requests_total{}"]);
    }

    [Fact]
    public async Task Prometheus_accept_header_gets_openmetrics()
    {
        const string PrometheusAccept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        (string head, string body) = Split(await ExchangeAsync($"GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: {PrometheusAccept}\r\n\r\n"));

        Assert.Contains("Content-Type: application/openmetrics-text; version=1.0.0; charset=utf-8", head, StringComparison.Ordinal);
        Assert.Equal(1, StrictExpositionParser.Parse(body, openMetrics: true)["kubelet_cpu_manager_pinning_requests_total{}"]);
    }

    [Theory]
    [InlineData("application/openmetrics-text;version=2.0.0", false)]
    [InlineData("application/openmetrics-text;q=0", false)]
    [InlineData("text/plain, application/openmetrics-text", true)]
    [InlineData("", false)]
    public void Accept_negotiation(string accept, bool openMetrics) =>
        Assert.Equal(openMetrics ? ExpositionFormat.OpenMetrics : ExpositionFormat.Prometheus, ExpositionFormats.FromAccept(accept));

    [Theory]
    [InlineData("GET /healthz HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK")]
    [InlineData("GET /metrics?x=1 HTTP/1.0\r\n\r\n", "HTTP/1.1 200 OK")]
    [InlineData("GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 404 Not Found")]
    [InlineData("GET /metrics/../etc HTTP/1.1\r\n\r\n", "HTTP/1.1 404 Not Found")]
    [InlineData("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 405 Method Not Allowed")]
    [InlineData("HEAD /metrics HTTP/1.1\r\n\r\n", "HTTP/1.1 405 Method Not Allowed")]
    [InlineData("GARBAGE\r\n\r\n", "HTTP/1.1 400 Bad Request")]
    [InlineData("GET /metrics SPDY/3\r\n\r\n", "HTTP/1.1 400 Bad Request")]
    [InlineData("GET /metrics HTTP/1.1\r\nno colon here\r\n\r\n", "HTTP/1.1 400 Bad Request")]
    [InlineData("\u0000\u0001\u0002\r\n\r\n", "HTTP/1.1 400 Bad Request")]
    public async Task Only_get_metrics_and_healthz_are_served(string request, string statusLine)
    {
        string response = await ExchangeAsync(request);
        Assert.StartsWith(statusLine + "\r\n", response, StringComparison.Ordinal);
        if (statusLine.Contains("405", StringComparison.Ordinal))
        {
            Assert.Contains("Allow: GET", response, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_oversized_request_head_gets_431_and_is_closed()
    {
        string request = "GET /metrics HTTP/1.1\r\nX-Fill: " + new string('a', MetricsEndpoint.MaxRequestBytes) + "\r\n\r\n";
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port));
        // The server answers after MaxRequestBytes and closes; the rest of the send may fail.
        try
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes(request));
        }
        catch (SocketException)
        {
        }
        string response = await ReadToEndAsync(socket);
        Assert.StartsWith("HTTP/1.1 431 ", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_slow_request_is_answered_408_after_the_read_timeout_and_does_not_block_others()
    {
        TimeSpan readTimeout = TimeSpan.FromMilliseconds(1500);
        await using MetricsEndpoint endpoint = Start("127.0.0.1:0", readTimeout);
        EndPoint address = endpoint.LocalEndPoint;
        using var slow = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var started = System.Diagnostics.Stopwatch.StartNew();
        await slow.ConnectAsync(address);
        await slow.SendAsync("GET /metr"u8.ToArray());

        // Meanwhile another scrape is served, long before the slow one times out.
        Assert.StartsWith("HTTP/1.1 200 OK", await ExchangeAsync("GET /healthz HTTP/1.1\r\n\r\n", address), StringComparison.Ordinal);
        TimeSpan other = started.Elapsed;
        Assert.True(other < readTimeout, $"a slow client delayed another by {other}");

        string response = await ReadToEndAsync(slow);
        Assert.StartsWith("HTTP/1.1 408 Request Timeout", response, StringComparison.Ordinal);
        Assert.True(started.Elapsed >= readTimeout, $"answered after {started.Elapsed}, before the read timeout");
    }

    [Fact]
    public async Task More_connections_than_the_limit_are_refused_with_503()
    {
        var idle = new List<Socket>();
        try
        {
            for (int i = 0; i < MetricsEndpoint.MaxConnections; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port));
                idle.Add(socket);
            }
            await Task.Delay(100);
            string refused = await ExchangeAsync("GET /metrics HTTP/1.1\r\n\r\n");
            Assert.StartsWith("HTTP/1.1 503 ", refused, StringComparison.Ordinal);
        }
        finally
        {
            idle.ForEach(s => s.Dispose());
        }
        // Once the idle ones are gone (closed or timed out) scrapes work again.
        await Task.Delay(200);
        Assert.StartsWith("HTTP/1.1 200 OK", await ExchangeAsync("GET /healthz HTTP/1.1\r\n\r\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_port_in_use_is_a_clear_error_not_an_exception()
    {
        MetricsEndpoint? second = MetricsEndpoint.TryStart($"127.0.0.1:{Port}", (_, _) => { }, _ => { }, out string? error);

        Assert.Null(second);
        Assert.Equal($"cannot listen on 127.0.0.1:{Port}: the address is already in use (another process, or a second resmgrlite); choose another metrics.listenAddress", error);
    }

    [Theory]
    [InlineData("localhost", "'localhost' is not host:port")]
    [InlineData("metrics.example:9464", "'metrics.example' in 'metrics.example:9464' is not an IP address")]
    [InlineData("unix:relative.sock", "a unix socket address needs an absolute path")]
    public void Bad_addresses_are_refused_with_a_reason(string address, string expected)
    {
        Assert.Null(MetricsEndpoint.TryStart(address, (_, _) => { }, _ => { }, out string? error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unix_socket_endpoint_serves_and_removes_its_socket_and_replaces_a_stale_one()
    {
        string directory = Directory.CreateTempSubdirectory("metrics-unix-").FullName;
        try
        {
            string path = Path.Combine(directory, "metrics.sock");
            // A socket file left behind by a killed plugin (.NET unlinks its own on close, so another process makes it).
            using (var python = System.Diagnostics.Process.Start("python3", ["-c", "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", path])!)
            {
                await python.WaitForExitAsync();
            }
            Assert.True(Path.Exists(path));

            await using (MetricsEndpoint endpoint = Start("unix:" + path))
            {
                (string head, string body) = Split(await ExchangeAsync("GET /metrics HTTP/1.1\r\n\r\n", new UnixDomainSocketEndPoint(path)));
                Assert.StartsWith("HTTP/1.1 200 OK", head, StringComparison.Ordinal);
                Assert.Equal(1, StrictExpositionParser.Parse(body, openMetrics: false)["kubelet_cpu_manager_pinning_requests_total{}"]);
                // A second plugin on the same live socket is refused.
                Assert.Null(MetricsEndpoint.TryStart("unix:" + path, (_, _) => { }, _ => { }, out string? error));
                Assert.Contains("already in use", error, StringComparison.Ordinal);
            }
            Assert.False(Path.Exists(path));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
