using ResMgrLite.Nri.Api;
using ResMgrLite.Nri.Transport;
using ResMgrLite.Nri.Ttrpc;

namespace ResMgrLite.Nri.Plugin;

/// <summary>
/// One connection's life (docs/nri-rules.md §6.1): RegisterPlugin first, then serve Configure, Synchronize and
/// events on conn 1 until EOF. Unsolicited updates go out on conn 2 through <see cref="INriRuntime"/>.
/// </summary>
internal sealed class NriSession : INriRuntime
{
    public const string RuntimeServiceName = "nri.pkg.api.v1alpha1.Runtime";

    /// <summary>
    /// Sent as RegisterPluginRequest.NRI_version (v0.12+ runtimes log it; older ones skip the
    /// field, docs/nri-rules.md §5.0): the NRI API revision this plugin's messages and methods follow.
    /// </summary>
    public const string PluginNriVersion = "v0.12.2";

    /// <summary>Unread bytes a logical connection holds: every ordinary request, a few blocks.</summary>
    public const int ConnectionHoldLimit = 256 * 1024;

    private readonly NriConnectionOptions _options;
    private readonly IProtocolLog _log;
    private readonly MuxTrunk _trunk;
    private readonly TtrpcClient _client;
    private readonly NriPluginService _service;
    private readonly TtrpcServer _server;

    public NriSession(Stream stream, NriConnectionOptions options, INriEventHandler handler, IProtocolLog log)
    {
        _options = options;
        _log = log;
        // A logical connection holds at most one partial message this size; larger ones are taken
        // out as they arrive (streamed, assembled or skipped), so a multi-megabyte Synchronize is
        // never read ahead of its decoding.
        _trunk = new MuxTrunk(stream, log, connectionBufferLimit: ConnectionHoldLimit);
        _client = new TtrpcClient(_trunk.RuntimeService, $"conn {MuxConnectionId.RuntimeService}", log);
        _service = new NriPluginService(handler, this, log);
        _server = new TtrpcServer(_trunk.PluginService, $"conn {MuxConnectionId.PluginService}", _service, log);
    }

    public async Task<NriSessionEnd> RunAsync(CancellationToken cancellationToken)
    {
        await using (_trunk.ConfigureAwait(false))
        {
            // RegisterPlugin is written before anything else starts: the runtime allows 5 s and a
            // pre-launched plugin that misses it makes containerd 1.7.24 exit (docs/nri-rules.md §6.4).
            var register = new RegisterPluginRequest { PluginName = _options.PluginName, PluginIdx = _options.PluginIndex, NRIVersion = PluginNriVersion };
            Task<Google.Protobuf.ByteString> registered = _client.CallAsync(RuntimeServiceName, "RegisterPlugin", register, _options.RegistrationTimeout, cancellationToken);

            Task trunk = _trunk.Start(cancellationToken);
            Task client = _client.RunAsync(cancellationToken);
            Task server = _server.RunAsync(cancellationToken);
            using CancellationTokenRegistration stop = cancellationToken.Register(static state => ((MuxTrunk)state!).Abort("cancelled"), _trunk);

            try
            {
                await registered.ConfigureAwait(false);
                _log.Write(ProtocolLogLevel.Info, $"registered as {_options.PluginIndex}-{_options.PluginName}");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _log.Write(ProtocolLogLevel.Error, RegistrationFailure(ex));
                _trunk.Abort("registration failed");
                await Task.WhenAll(trunk, client, server).ConfigureAwait(false);
                return cancellationToken.IsCancellationRequested ? NriSessionEnd.Cancelled : NriSessionEnd.RegistrationFailed;
            }
            catch (OperationCanceledException)
            {
                _trunk.Abort("cancelled");
                await Task.WhenAll(trunk, client, server).ConfigureAwait(false);
                return NriSessionEnd.Cancelled;
            }

            await trunk.ConfigureAwait(false);
            _trunk.Abort("connection ended");
            await Task.WhenAll(client, server).ConfigureAwait(false);
            return cancellationToken.IsCancellationRequested ? NriSessionEnd.Cancelled : NriSessionEnd.Closed;
        }
    }

    private string RegistrationFailure(Exception error) => error switch
    {
        TtrpcStatusException refused => $"the runtime refused to register plugin {_options.PluginIndex}-{_options.PluginName}: {refused.Message}",
        TimeoutException => $"the runtime did not answer RegisterPlugin within {_options.RegistrationTimeout.TotalSeconds:0.#} s",
        IOException or System.Net.Sockets.SocketException or ObjectDisposedException => "the runtime closed the connection before registration",
        _ => $"RegisterPlugin failed: {ConnectionErrorText.Of(error)}",
    };

    public async Task<UpdateContainersResult> UpdateContainersAsync(IReadOnlyList<ContainerUpdate> updates)
    {
        ArgumentNullException.ThrowIfNull(updates);
        try
        {
            // Updates wait for Configure: the runtime only handles them once the plugin is set up.
            await _service.Configured.WaitAsync(_options.RegistrationTimeout + _options.UpdateTimeout).ConfigureAwait(false);
            var request = new UpdateContainersRequest();
            request.Update.AddRange(updates);
            // containerd applies the updates one by one (about a second each in a small VM), and
            // does not bound the call itself: allow the per-update time for every update.
            TimeSpan deadline = _options.UpdateTimeout * Math.Max(1, updates.Count);
            Google.Protobuf.ByteString reply = await _client.CallAsync(RuntimeServiceName, "UpdateContainers", request, deadline, CancellationToken.None).ConfigureAwait(false);
            UpdateContainersResponse response = UpdateContainersResponse.Parser.ParseFrom(reply);
            if (response.Failed.Count > 0)
            {
                _log.Write(ProtocolLogLevel.Warning, $"UpdateContainers: {response.Failed.Count} of {updates.Count} updates failed");
                string[] failed = new string[response.Failed.Count];
                for (int i = 0; i < failed.Length; i++)
                {
                    failed[i] = response.Failed[i].ContainerId;
                }
                return UpdateContainersResult.Partly(failed);
            }

            return UpdateContainersResult.AllApplied;
        }
        catch (Exception ex)
        {
            // 1.7.24 reports any partial failure as UNKNOWN "NRI update of some containers failed" (docs/nri-rules.md §7.5).
            string problem = ConnectionErrorText.Of(ex);
            _log.Write(ProtocolLogLevel.Warning, $"UpdateContainers ({updates.Count} updates) failed: {problem}");
            return UpdateContainersResult.CallFailed(problem);
        }
    }
}
