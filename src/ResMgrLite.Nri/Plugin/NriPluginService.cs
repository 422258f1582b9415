using Google.Protobuf;
using ResMgrLite.Nri.Api;
using ResMgrLite.Nri.Ttrpc;

namespace ResMgrLite.Nri.Plugin;

/// <summary>
/// The <c>nri.pkg.api.v1alpha1.Plugin</c> service on logical connection 1: decodes each request,
/// calls the matching <see cref="INriEventHandler"/> method and encodes the reply (spec §4.2).
/// StateChange and the v0.12 dedicated RPCs reach the same handler method.
/// </summary>
internal sealed class NriPluginService : ITtrpcDispatcher
{
    public const string ServiceName = "nri.pkg.api.v1alpha1.Plugin";

    private readonly INriEventHandler _handler;
    private readonly INriRuntime _runtime;
    private readonly IProtocolLog _log;
    private readonly TaskCompletionSource<NriRuntimeInfo> _configured = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _syncLock = new();
    private readonly List<PodSandbox> _syncPods = [];
    private readonly List<Container> _syncContainers = [];

    public NriPluginService(INriEventHandler handler, INriRuntime runtime, IProtocolLog log)
    {
        _handler = handler;
        _runtime = runtime;
        _log = log;
    }

    /// <summary>Completes once a ConfigureResponse has been produced.</summary>
    public Task<NriRuntimeInfo> Configured => _configured.Task;

    public ValueTask<IMessage> DispatchAsync(string service, string method, ByteString payload, CancellationToken cancellationToken)
    {
        if (service != ServiceName)
        {
            // Exact wording of the Go server (spec §3.6).
            throw new TtrpcStatusException(TtrpcStatusCode.Unimplemented, $"service {service}");
        }

        return method switch
        {
            "Configure" => ConfigureAsync(ConfigureRequest.Parser.ParseFrom(payload), cancellationToken),
            "Synchronize" => SynchronizeAsync(SynchronizeRequest.Parser.ParseFrom(payload), cancellationToken),
            "Shutdown" => ShutdownAsync(cancellationToken),
            "CreateContainer" => CreateContainerAsync(CreateContainerRequest.Parser.ParseFrom(payload), cancellationToken),
            "UpdateContainer" => UpdateContainerAsync(UpdateContainerRequest.Parser.ParseFrom(payload), cancellationToken),
            "StopContainer" => StopContainerAsync(StopContainerRequest.Parser.ParseFrom(payload), cancellationToken),
            "StateChange" => StateChangeAsync(StateChangeEvent.Parser.ParseFrom(payload), cancellationToken),
            "UpdatePodSandbox" => UpdatePodSandboxAsync(UpdatePodSandboxRequest.Parser.ParseFrom(payload), cancellationToken),
            "ValidateContainerAdjustment" => AcceptAdjustment(payload),
            "RunPodSandbox" => PodEventAsync(Event.RunPodSandbox, RunPodSandboxRequest.Parser.ParseFrom(payload).Pod, new RunPodSandboxResponse(), cancellationToken),
            "PostUpdatePodSandbox" => PodEventAsync(Event.PostUpdatePodSandbox, PostUpdatePodSandboxRequest.Parser.ParseFrom(payload).Pod, new PostUpdatePodSandboxResponse(), cancellationToken),
            "StopPodSandbox" => PodEventAsync(Event.StopPodSandbox, StopPodSandboxRequest.Parser.ParseFrom(payload).Pod, new StopPodSandboxResponse(), cancellationToken),
            "RemovePodSandbox" => PodEventAsync(Event.RemovePodSandbox, RemovePodSandboxRequest.Parser.ParseFrom(payload).Pod, new RemovePodSandboxResponse(), cancellationToken),
            "PostCreateContainer" => ContainerEventAsync(Event.PostCreateContainer, PostCreateContainerRequest.Parser.ParseFrom(payload), r => (r.Pod, r.Container), new PostCreateContainerResponse(), cancellationToken),
            "StartContainer" => ContainerEventAsync(Event.StartContainer, StartContainerRequest.Parser.ParseFrom(payload), r => (r.Pod, r.Container), new StartContainerResponse(), cancellationToken),
            "PostStartContainer" => ContainerEventAsync(Event.PostStartContainer, PostStartContainerRequest.Parser.ParseFrom(payload), r => (r.Pod, r.Container), new PostStartContainerResponse(), cancellationToken),
            "PostUpdateContainer" => ContainerEventAsync(Event.PostUpdateContainer, PostUpdateContainerRequest.Parser.ParseFrom(payload), r => (r.Pod, r.Container), new PostUpdateContainerResponse(), cancellationToken),
            "RemoveContainer" => ContainerEventAsync(Event.RemoveContainer, RemoveContainerRequest.Parser.ParseFrom(payload), r => (r.Pod, r.Container), new RemoveContainerResponse(), cancellationToken),
            _ => throw new TtrpcStatusException(TtrpcStatusCode.Unimplemented, $"method {method}"),
        };
    }

    private async ValueTask<IMessage> ConfigureAsync(ConfigureRequest request, CancellationToken cancellationToken)
    {
        NriRuntimeInfo runtime = NriRuntimeInfo.FromConfigure(request);
        _log.Write(ProtocolLogLevel.Info, $"configure: runtime {runtime.Name} {runtime.Version}, NRI level {runtime.Level}, {request.Config.Length} bytes of config");
        NriEventMask wanted = await _handler.ConfigureAsync(new NriConfigureContext(request.Config, runtime, _runtime), cancellationToken).ConfigureAwait(false);
        NriEventMask subscribed = wanted & runtime.SupportedEvents;
        if (subscribed != wanted)
        {
            // A bit the runtime does not know makes it drop the plugin (spec §5.6, verified for 0x800 on v0.6.1).
            _log.Write(ProtocolLogLevel.Info, $"configure: runtime at NRI {runtime.Level} cannot deliver {wanted & ~subscribed}; not subscribing to them");
            if (subscribed == NriEventMask.None)
            {
                _log.Write(ProtocolLogLevel.Warning, "configure: no supported event left; mask 0 subscribes to every event");
            }
        }

        _configured.TrySetResult(runtime);
        return new ConfigureResponse { Events = (int)subscribed };
    }

    private async ValueTask<IMessage> SynchronizeAsync(SynchronizeRequest request, CancellationToken cancellationToken)
    {
        PodSandbox[] pods;
        Container[] containers;
        lock (_syncLock)
        {
            _syncPods.AddRange(request.Pods);
            _syncContainers.AddRange(request.Containers);
            if (request.More)
            {
                // Every chunk but the last is answered {more: true} with no updates (spec §6.3).
                return new SynchronizeResponse { More = true };
            }

            pods = [.. _syncPods];
            containers = [.. _syncContainers];
            _syncPods.Clear();
            _syncContainers.Clear();
        }

        IReadOnlyList<ContainerUpdate> updates = await _handler.SynchronizeAsync(pods, containers, cancellationToken).ConfigureAwait(false);
        var response = new SynchronizeResponse { More = false };
        response.Update.AddRange(updates);
        return response;
    }

    private async ValueTask<IMessage> ShutdownAsync(CancellationToken cancellationToken)
    {
        await _handler.ShutdownAsync(cancellationToken).ConfigureAwait(false);
        return new Empty();
    }

    private async ValueTask<IMessage> CreateContainerAsync(CreateContainerRequest request, CancellationToken cancellationToken)
    {
        CreateContainerResult result = await _handler.CreateContainerAsync(request.Pod ?? new PodSandbox(), request.Container ?? new Container(), cancellationToken).ConfigureAwait(false);
        var response = new CreateContainerResponse { Adjust = result.Adjustment };
        response.Update.AddRange(result.Updates);
        return response;
    }

    private async ValueTask<IMessage> UpdateContainerAsync(UpdateContainerRequest request, CancellationToken cancellationToken)
    {
        IReadOnlyList<ContainerUpdate> updates = await _handler.UpdateContainerAsync(request.Pod ?? new PodSandbox(), request.Container ?? new Container(), request.LinuxResources, cancellationToken).ConfigureAwait(false);
        var response = new UpdateContainerResponse();
        response.Update.AddRange(updates);
        return response;
    }

    private async ValueTask<IMessage> StopContainerAsync(StopContainerRequest request, CancellationToken cancellationToken)
    {
        IReadOnlyList<ContainerUpdate> updates = await _handler.StopContainerAsync(request.Pod ?? new PodSandbox(), request.Container ?? new Container(), cancellationToken).ConfigureAwait(false);
        var response = new StopContainerResponse();
        response.Update.AddRange(updates);
        return response;
    }

    private async ValueTask<IMessage> StateChangeAsync(StateChangeEvent request, CancellationToken cancellationToken)
    {
        await _handler.StateChangeAsync(request.Event, request.Pod ?? new PodSandbox(), request.Container, cancellationToken).ConfigureAwait(false);
        return new Empty();
    }

    private async ValueTask<IMessage> UpdatePodSandboxAsync(UpdatePodSandboxRequest request, CancellationToken cancellationToken)
    {
        await _handler.UpdatePodSandboxAsync(request.Pod ?? new PodSandbox(), request.OverheadLinuxResources, request.LinuxResources, cancellationToken).ConfigureAwait(false);
        return new UpdatePodSandboxResponse();
    }

    /// <summary>We never subscribe as a validator (spec §6.2); should a runtime ask anyway, accept.</summary>
    private static ValueTask<IMessage> AcceptAdjustment(ByteString payload)
    {
        // Decoded only so that a malformed request gets INTERNAL like every other method.
        _ = ValidateContainerAdjustmentRequest.Parser.ParseFrom(payload);
        return ValueTask.FromResult<IMessage>(new ValidateContainerAdjustmentResponse { Reject = false });
    }

    private async ValueTask<IMessage> PodEventAsync(Event kind, PodSandbox? pod, IMessage reply, CancellationToken cancellationToken)
    {
        await _handler.StateChangeAsync(kind, pod ?? new PodSandbox(), null, cancellationToken).ConfigureAwait(false);
        return reply;
    }

    private async ValueTask<IMessage> ContainerEventAsync<TRequest>(Event kind, TRequest request, Func<TRequest, (PodSandbox? Pod, Container? Container)> select, IMessage reply, CancellationToken cancellationToken)
    {
        (PodSandbox? pod, Container? container) = select(request);
        await _handler.StateChangeAsync(kind, pod ?? new PodSandbox(), container ?? new Container(), cancellationToken).ConfigureAwait(false);
        return reply;
    }
}
