using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using ResMgrLite.CriTool.Cri.V1;

namespace ResMgrLite.CriTool.Cri;

/// <summary>
/// gRPC client for containerd's CRI services over its unix socket. HTTP/2 runs in clear text
/// over the socket; the "http://localhost" authority is only a placeholder the channel needs.
/// </summary>
internal sealed class CriClient : IDisposable
{
    /// <summary>Generous per-call deadline: a start-up on a busy 2-core machine can be slow.</summary>
    public static readonly TimeSpan DefaultCallTimeout = TimeSpan.FromSeconds(60);

    private readonly GrpcChannel _channel;

    /// <param name="socketPath">containerd's CRI socket.</param>
    /// <param name="callTimeout">Deadline of each call; <see cref="DefaultCallTimeout"/> when null.</param>
    public CriClient(string socketPath, TimeSpan? callTimeout = null)
    {
        SocketPath = socketPath;
        CallTimeout = callTimeout ?? DefaultCallTimeout;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = 16 * 1024 * 1024,
        });
        Runtime = new RuntimeService.RuntimeServiceClient(_channel);
        Images = new ImageService.ImageServiceClient(_channel);
    }

    public string SocketPath { get; }

    public TimeSpan CallTimeout { get; }

    public RuntimeService.RuntimeServiceClient Runtime { get; }

    public ImageService.ImageServiceClient Images { get; }

    public CallOptions Call(CancellationToken cancellationToken) =>
        new(deadline: DateTime.UtcNow + CallTimeout, cancellationToken: cancellationToken);

    /// <summary>
    /// Waits until the CRI plugin answers, reports RuntimeReady and knows <paramref name="image"/>
    /// (containerd's CRI image store fills from events shortly after an import).
    /// </summary>
    /// <param name="isServerAlive">Checked on every round, so a containerd that died fails the wait at once.</param>
    public async Task WaitUntilReadyAsync(string image, TimeSpan timeout, Func<bool> isServerAlive, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        string lastProblem = "no answer yet";
        while (DateTime.UtcNow < deadline)
        {
            if (!isServerAlive())
            {
                throw new InvalidOperationException($"the CRI server at {SocketPath} exited while starting ({lastProblem})");
            }

            try
            {
                var status = await Runtime.StatusAsync(new StatusRequest(), Call(cancellationToken));
                var runtimeReady = status.Status?.Conditions.Any(c => c.Type == "RuntimeReady" && c.Status) ?? false;
                var imageStatus = await Images.ImageStatusAsync(
                    new ImageStatusRequest { Image = new ImageSpec { Image = image } }, Call(cancellationToken));
                if (runtimeReady && imageStatus.Image is not null)
                {
                    return;
                }

                lastProblem = runtimeReady ? $"image {image} not known to CRI yet" : "RuntimeReady is false";
            }
            catch (RpcException exception)
            {
                lastProblem = exception.Status.Detail;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"CRI at {SocketPath} not ready after {timeout.TotalSeconds:0}s: {lastProblem}");
    }

    public void Dispose() => _channel.Dispose();
}
