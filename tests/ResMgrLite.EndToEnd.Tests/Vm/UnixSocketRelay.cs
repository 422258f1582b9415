using System.Net;
using System.Net.Sockets;

namespace ResMgrLite.EndToEnd.Tests.Vm;

/// <summary>
/// Serves a unix socket on the host and pipes every connection to a TCP endpoint: qemu forwards
/// 127.0.0.1:port to containerd's CRI TCP listener in the guest, and the harness's
/// <see cref="CriTool.Cri.CriClient"/> speaks to unix sockets only, so this keeps that client as
/// it is (docs/vm-e2e.md, "Driving CRI from the host").
/// </summary>
internal sealed class UnixSocketRelay : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    private UnixSocketRelay(string socketPath, IPEndPoint target)
    {
        SocketPath = socketPath;
        _target = target;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        _listener.Listen(16);
        _acceptLoop = AcceptLoopAsync();
    }

    public string SocketPath { get; }

    public static UnixSocketRelay Start(string socketPath, IPEndPoint target)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(socketPath)!);
        File.Delete(socketPath);
        return new UnixSocketRelay(socketPath, target);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        try
        {
            await _acceptLoop;
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        File.Delete(SocketPath);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptAsync(_stop.Token);
            _ = PipeAsync(client);
        }
    }

    private async Task PipeAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Task? upstream = null;
        Task? downstream = null;
        try
        {
            await server.ConnectAsync(_target, _stop.Token);
            var fromClient = new NetworkStream(client, ownsSocket: false);
            var toServer = new NetworkStream(server, ownsSocket: false);
            upstream = fromClient.CopyToAsync(toServer, _stop.Token);
            downstream = toServer.CopyToAsync(fromClient, _stop.Token);
            // Either side closing ends the pair: gRPC never half-closes a connection.
            await Task.WhenAny(upstream, downstream);
        }
        catch (Exception exception) when (exception is SocketException or IOException or OperationCanceledException)
        {
            // The guest went away or the relay is stopping: the client sees the connection close.
        }
        finally
        {
            client.Dispose();
            server.Dispose();
            foreach (var copy in new[] { upstream, downstream })
            {
                if (copy is not null)
                {
                    try
                    {
                        await copy;
                    }
                    catch (Exception exception) when (exception is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
                    {
                        // Ended by the disposal above.
                    }
                }
            }
        }
    }
}
