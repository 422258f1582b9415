using System.Net.Sockets;
using ResMgrLite.Nri.Api;
using ResMgrLite.Nri.Plugin;
using ResMgrLite.Nri.Transport;

namespace ResMgrLite.Nri;

/// <summary>
/// Runs an NRI plugin: pre-launched (one session on the inherited socket, exit on EOF) or
/// external (dial, and after every EOF or failed dial reconnect with capped exponential backoff
/// and a full re-handshake, docs/nri-rules.md §6.5).
/// </summary>
internal sealed class NriPluginHost : INriRuntime
{
    private readonly NriConnectionOptions _options;
    private readonly INriEventHandler _handler;
    private readonly IProtocolLog _log;
    private NriSession? _current;

    public NriPluginHost(NriConnectionOptions options, INriEventHandler handler, IProtocolLog log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(log);
        options.Validate();
        _options = options;
        _handler = handler;
        _log = log;
    }

    /// <summary>Runs until the pre-launched socket closes or <paramref name="cancellationToken"/> fires.</summary>
    /// <returns>The process exit code: 0 after EOF or cancellation, 1 when a pre-launched plugin could not register.</returns>
    public static Task<int> RunAsync(NriConnectionOptions options, INriEventHandler handler, IProtocolLog log, CancellationToken cancellationToken) =>
        new NriPluginHost(options, handler, log).RunAsync(cancellationToken);

    public Task<int> RunAsync(CancellationToken cancellationToken) =>
        _options.ConnectedSocket is { } socket ? RunPreLaunchedAsync(socket, cancellationToken) : RunExternalAsync(cancellationToken);

    /// <summary>Sends updates on the current connection; the call fails as a whole when there is none.</summary>
    public Task<UpdateContainersResult> UpdateContainersAsync(IReadOnlyList<ContainerUpdate> updates)
    {
        NriSession? session = Volatile.Read(ref _current);
        if (session is null)
        {
            _log.Write(ProtocolLogLevel.Warning, $"UpdateContainers ({updates.Count} updates) dropped: not connected");
            return Task.FromResult(UpdateContainersResult.CallFailed("not connected to the runtime"));
        }

        return session.UpdateContainersAsync(updates);
    }

    private async Task<int> RunPreLaunchedAsync(Socket socket, CancellationToken cancellationToken)
    {
        BlockingSocketStream stream;
        try
        {
            stream = new BlockingSocketStream(socket);
        }
        catch (IOException)
        {
            // The inherited fd is not a connected stream socket: nothing to register on.
            _log.Write(ProtocolLogLevel.Error, "the pre-launched plugin socket is unusable: it is not a connected stream socket");
            socket.Dispose();
            return 1;
        }

        NriSessionEnd end = await RunSessionAsync(stream, cancellationToken).ConfigureAwait(false);
        _log.Write(ProtocolLogLevel.Info, $"pre-launched session ended: {end}");
        return end == NriSessionEnd.RegistrationFailed ? 1 : 0;
    }

    private async Task<int> RunExternalAsync(CancellationToken cancellationToken)
    {
        TimeSpan delay = _options.ReconnectInitialDelay;
        var problems = new ConnectProblemReport(_log, _options.ConnectProblemRepeatInterval);
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket? socket = TryConnect(problems);
            if (socket is not null)
            {
                NriSessionEnd end = await RunSessionAsync(new BlockingSocketStream(socket), cancellationToken).ConfigureAwait(false);
                if (end == NriSessionEnd.Cancelled)
                {
                    break;
                }

                _log.Write(ProtocolLogLevel.Warning, $"NRI session on {_options.SocketPath} ended ({end}); reconnecting");
                if (end == NriSessionEnd.Closed)
                {
                    delay = _options.ReconnectInitialDelay;
                }
            }

            try
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.ReconnectMaxDelay.Ticks));
        }

        return 0;
    }

    private Socket? TryConnect(ConnectProblemReport problems)
    {
        string path = _options.SocketPath;
        if (System.Text.Encoding.UTF8.GetByteCount(path) > UnixSocketDial.MaxPathBytes)
        {
            problems.Failed($"{path} is longer than the {UnixSocketDial.MaxPathBytes} bytes a unix socket path may have: point --socket at a shorter path");
            return null;
        }
        try
        {
            Socket socket = UnixSocketDial.Connect(path);
            problems.Connected(path);
            return socket;
        }
        catch (SocketException error)
        {
            problems.Failed(SocketPathDiagnosis.Describe(path, error));
            return null;
        }
    }

    private async Task<NriSessionEnd> RunSessionAsync(Stream stream, CancellationToken cancellationToken)
    {
        var session = new NriSession(stream, _options, _handler, _log);
        Volatile.Write(ref _current, session);
        try
        {
            return await session.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return NriSessionEnd.Cancelled;
        }
#pragma warning disable CA1031 // A session failure ends that connection; the host decides what next.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            _log.Write(ProtocolLogLevel.Error, $"NRI session failed: {ConnectionErrorText.Of(ex)}");
            return NriSessionEnd.Closed;
        }
        finally
        {
            Interlocked.CompareExchange(ref _current, null, session);
        }
    }
}
