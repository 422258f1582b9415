using System.Buffers;
using Google.Protobuf;
using ResMgrLite.Nri.Api;
using ResMgrLite.Nri.Protobuf;
using ResMgrLite.Nri.Ttrpc;

namespace ResMgrLite.Nri.Plugin;

/// <summary>
/// The <c>nri.pkg.api.v1alpha1.Plugin</c> service on logical connection 1: decodes each request
/// straight from the receive buffer, calls the matching <see cref="INriEventHandler"/> method off the
/// receive loop and returns the reply (docs/nri-rules.md §4.2). StateChange and the v0.12 dedicated RPCs reach
/// the same handler method; any other method is UNIMPLEMENTED, so a newer runtime falls back to
/// StateChange (docs/nri-rules.md §3.6).
/// </summary>
internal sealed class NriPluginService : ITtrpcDispatcher
{
    public const string ServiceName = "nri.pkg.api.v1alpha1.Plugin";

    // SynchronizeRequest fields (docs/nri-rules.md §5.1).
    private const int SyncPodsField = 1;
    private const int SyncContainersField = 2;
    private const int SyncMoreField = 3;

    private readonly INriEventHandler _handler;
    private readonly INriRuntime _runtime;
    private readonly IProtocolLog _log;
    private readonly TaskCompletionSource<NriRuntimeInfo> _configured = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // The Synchronize sequence in progress; touched only on the receive loop, one request at a time.
    private INriSynchronization? _synchronization;
    private int _syncPods;
    private int _syncContainers;

    public NriPluginService(INriEventHandler handler, INriRuntime runtime, IProtocolLog log)
    {
        _handler = handler;
        _runtime = runtime;
        _log = log;
    }

    /// <summary>Completes once a ConfigureResponse has been produced.</summary>
    public Task<NriRuntimeInfo> Configured => _configured.Task;

    public ValueTask<IMessage> DispatchAsync(string service, string method, ReadOnlySequence<byte> payload, CancellationToken cancellationToken)
    {
        if (service != ServiceName)
        {
            // Exact wording of the Go server (docs/nri-rules.md §3.6).
            throw new TtrpcStatusException(TtrpcStatusCode.Unimplemented, $"service {service}");
        }

        // Each request is decoded here, while the payload is valid; the handler runs after a yield.
        return method switch
        {
            "Configure" => ConfigureAsync(ConfigureRequest.Parser.ParseFrom(payload), cancellationToken),
            "Synchronize" => Synchronize(payload, cancellationToken),
            "Shutdown" => ShutdownAsync(cancellationToken),
            "CreateContainer" => CreateContainerAsync(EventRequestReader.Parse(payload, CreateContainerRequest.Parser, _handler.EventAnnotationPrefix), cancellationToken),
            "UpdateContainer" => UpdateContainerAsync(EventRequestReader.Parse(payload, UpdateContainerRequest.Parser, _handler.EventAnnotationPrefix), cancellationToken),
            "StopContainer" => StopContainerAsync(EventRequestReader.Parse(payload, StopContainerRequest.Parser, _handler.EventAnnotationPrefix), cancellationToken),
            "StateChange" => StateChangeAsync(EventRequestReader.StateChange(payload, _handler.EventAnnotationPrefix), cancellationToken),
            "UpdatePodSandbox" => UpdatePodSandboxAsync(EventRequestReader.Parse(payload, UpdatePodSandboxRequest.Parser, _handler.EventAnnotationPrefix), cancellationToken),
            "PostUpdatePodSandbox" => PostUpdatePodSandboxAsync(EventRequestReader.Parse(payload, PostUpdatePodSandboxRequest.Parser, _handler.EventAnnotationPrefix).Pod, new PostUpdatePodSandboxResponse(), cancellationToken),
            "ValidateContainerAdjustment" => AcceptAdjustment(payload),
            "RunPodSandbox" => EventAsync(Event.RunPodSandbox, EventRequestReader.Parse(payload, RunPodSandboxRequest.Parser, _handler.EventAnnotationPrefix).Pod, null, new RunPodSandboxResponse(), cancellationToken),
            "StopPodSandbox" => EventAsync(Event.StopPodSandbox, EventRequestReader.Parse(payload, StopPodSandboxRequest.Parser, _handler.EventAnnotationPrefix).Pod, null, new StopPodSandboxResponse(), cancellationToken),
            "RemovePodSandbox" => EventAsync(Event.RemovePodSandbox, EventRequestReader.Parse(payload, RemovePodSandboxRequest.Parser, _handler.EventAnnotationPrefix).Pod, null, new RemovePodSandboxResponse(), cancellationToken),
            "PostCreateContainer" => ContainerEventAsync(Event.PostCreateContainer, EventRequestReader.Parse(payload, PostCreateContainerRequest.Parser, _handler.EventAnnotationPrefix), static r => (r.Pod, r.Container), new PostCreateContainerResponse(), cancellationToken),
            "StartContainer" => ContainerEventAsync(Event.StartContainer, EventRequestReader.Parse(payload, StartContainerRequest.Parser, _handler.EventAnnotationPrefix), static r => (r.Pod, r.Container), new StartContainerResponse(), cancellationToken),
            "PostStartContainer" => ContainerEventAsync(Event.PostStartContainer, EventRequestReader.Parse(payload, PostStartContainerRequest.Parser, _handler.EventAnnotationPrefix), static r => (r.Pod, r.Container), new PostStartContainerResponse(), cancellationToken),
            "PostUpdateContainer" => ContainerEventAsync(Event.PostUpdateContainer, EventRequestReader.Parse(payload, PostUpdateContainerRequest.Parser, _handler.EventAnnotationPrefix), static r => (r.Pod, r.Container), new PostUpdateContainerResponse(), cancellationToken),
            "RemoveContainer" => ContainerEventAsync(Event.RemoveContainer, EventRequestReader.Parse(payload, RemoveContainerRequest.Parser, _handler.EventAnnotationPrefix), static r => (r.Pod, r.Container), new RemoveContainerResponse(), cancellationToken),
            _ => throw new TtrpcStatusException(TtrpcStatusCode.Unimplemented, $"method {method}"),
        };
    }

    private async ValueTask<IMessage> ConfigureAsync(ConfigureRequest request, CancellationToken cancellationToken)
    {
        await Task.Yield();
        NriRuntimeInfo runtime = NriRuntimeInfo.FromConfigure(request);
        NriEventMask wanted = await _handler.ConfigureAsync(new NriConfigureContext(request.Config, runtime, _runtime), cancellationToken).ConfigureAwait(false);

        // A bit the runtime does not know makes it drop the plugin (docs/nri-rules.md §5.6, verified for 0x800 on v0.6.1).
        NriEventMask subscribed = wanted & runtime.SupportedEvents;
        string unsupported = subscribed == wanted ? "" : $"; not subscribing to events this runtime does not know: {NriEventNames.Format(wanted & ~subscribed)}";
        _log.Write(ProtocolLogLevel.Info, $"{runtime.Describe()}{unsupported}; config {request.Config.Length} bytes");
        if (subscribed == NriEventMask.None)
        {
            _log.Write(ProtocolLogLevel.Warning, "configure: no supported event left; mask 0 subscribes to every event");
        }

        _configured.TrySetResult(runtime);
        return new ConfigureResponse { Events = (int)subscribed };
    }

    /// <summary>Synchronize requests too large to wait whole in the connection are decoded as they arrive.</summary>
    public ITtrpcPayloadStream? BeginPayloadStream(string service, string method, long payloadLength) =>
        service == ServiceName && method == "Synchronize" ? new SynchronizeChunk(this, payloadLength) : null;

    /// <summary>A Synchronize request that arrived whole: decoded the same way, in one piece.</summary>
    private ValueTask<IMessage> Synchronize(ReadOnlySequence<byte> payload, CancellationToken cancellationToken)
    {
        var chunk = new SynchronizeChunk(this, payload.Length);
        try
        {
            chunk.Decode(payload, isEnd: true);
        }
        catch
        {
            chunk.Abandon();
            throw;
        }

        return chunk.CompleteAsync(cancellationToken);
    }

    /// <summary>
    /// Every chunk but the last is answered {more: true} with no updates (docs/nri-rules.md §6.3);
    /// the last gets the handler's updates.
    /// </summary>
    private ValueTask<IMessage> FinishSynchronize(INriSynchronization synchronization, bool more, CancellationToken cancellationToken)
    {
        if (more)
        {
            return ValueTask.FromResult<IMessage>(new SynchronizeResponse { More = true });
        }

        if (_log.IsEnabled(ProtocolLogLevel.Debug))
        {
            _log.Write(ProtocolLogLevel.Debug, $"synchronize: {_syncPods} pods, {_syncContainers} containers decoded");
        }

        _synchronization = null;
        _syncPods = 0;
        _syncContainers = 0;
        return CompleteSynchronizeAsync(synchronization, cancellationToken);
    }

    private static async ValueTask<IMessage> CompleteSynchronizeAsync(INriSynchronization synchronization, CancellationToken cancellationToken)
    {
        await Task.Yield();
        IReadOnlyList<ContainerUpdate> updates = await synchronization.CompleteAsync(cancellationToken).ConfigureAwait(false);
        var response = new SynchronizeResponse { More = false };
        response.Update.AddRange(updates);
        return response;
    }

    private async ValueTask<IMessage> ShutdownAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        await _handler.ShutdownAsync(cancellationToken).ConfigureAwait(false);
        return new Empty();
    }

    private async ValueTask<IMessage> CreateContainerAsync(CreateContainerRequest request, CancellationToken cancellationToken)
    {
        await Task.Yield();
        CreateContainerResult result = await _handler.CreateContainerAsync(request.Pod ?? new PodSandbox(), request.Container ?? new Container(), cancellationToken).ConfigureAwait(false);
        var response = new CreateContainerResponse { Adjust = result.Adjustment };
        response.Update.AddRange(result.Updates);
        return response;
    }

    private async ValueTask<IMessage> UpdateContainerAsync(UpdateContainerRequest request, CancellationToken cancellationToken)
    {
        await Task.Yield();
        IReadOnlyList<ContainerUpdate> updates = await _handler.UpdateContainerAsync(request.Pod ?? new PodSandbox(), request.Container ?? new Container(), request.LinuxResources, cancellationToken).ConfigureAwait(false);
        var response = new UpdateContainerResponse();
        response.Update.AddRange(updates);
        return response;
    }

    private async ValueTask<IMessage> StopContainerAsync(StopContainerRequest request, CancellationToken cancellationToken)
    {
        await Task.Yield();
        IReadOnlyList<ContainerUpdate> updates = await _handler.StopContainerAsync(request.Pod ?? new PodSandbox(), request.Container ?? new Container(), cancellationToken).ConfigureAwait(false);
        var response = new StopContainerResponse();
        response.Update.AddRange(updates);
        return response;
    }

    /// <summary>Runtimes before v0.12 send every other event this way; v0.10–v0.11 include PostUpdatePodSandbox.</summary>
    private ValueTask<IMessage> StateChangeAsync(StateChangeEvent request, CancellationToken cancellationToken) =>
        request.Event == Event.PostUpdatePodSandbox
            ? PostUpdatePodSandboxAsync(request.Pod, new Empty(), cancellationToken)
            : EventAsync(request.Event, request.Pod, request.Container, new Empty(), cancellationToken);

    private async ValueTask<IMessage> UpdatePodSandboxAsync(UpdatePodSandboxRequest request, CancellationToken cancellationToken)
    {
        await Task.Yield();
        await _handler.UpdatePodSandboxAsync(request.Pod ?? new PodSandbox(), request.OverheadLinuxResources, request.LinuxResources, cancellationToken).ConfigureAwait(false);
        return new UpdatePodSandboxResponse();
    }

    private async ValueTask<IMessage> PostUpdatePodSandboxAsync(PodSandbox? pod, IMessage reply, CancellationToken cancellationToken)
    {
        await Task.Yield();
        await _handler.PostUpdatePodSandboxAsync(pod ?? new PodSandbox(), cancellationToken).ConfigureAwait(false);
        return reply;
    }

    /// <summary>We never subscribe as a validator (docs/nri-rules.md §6.2); should a runtime ask anyway, accept.</summary>
    private static ValueTask<IMessage> AcceptAdjustment(ReadOnlySequence<byte> payload)
    {
        // Decoded only so that a malformed request gets INTERNAL like every other method.
        _ = ValidateContainerAdjustmentRequest.Parser.ParseFrom(payload);
        return ValueTask.FromResult<IMessage>(new ValidateContainerAdjustmentResponse { Reject = false });
    }

    private async ValueTask<IMessage> EventAsync(Event kind, PodSandbox? pod, Container? container, IMessage reply, CancellationToken cancellationToken)
    {
        await Task.Yield();
        await _handler.StateChangeAsync(kind, pod ?? new PodSandbox(), container, cancellationToken).ConfigureAwait(false);
        return reply;
    }

    private ValueTask<IMessage> ContainerEventAsync<TRequest>(Event kind, TRequest request, Func<TRequest, (PodSandbox? Pod, Container? Container)> select, IMessage reply, CancellationToken cancellationToken)
    {
        (PodSandbox? pod, Container? container) = select(request);
        return EventAsync(kind, pod, container ?? new Container(), reply, cancellationToken);
    }

    /// <summary>
    /// One Synchronize request, decoded a top-level field at a time as its bytes arrive: its pods
    /// and containers go to the handler one by one, without the parts no reconciliation reads
    /// (<see cref="SynchronizeElementReader"/>); chunks of a split Synchronize continue the same
    /// stream (docs/nri-rules.md §6.3). Runs on the receive loop, one request at a time.
    /// </summary>
    private sealed class SynchronizeChunk : ITtrpcPayloadStream
    {
        private readonly NriPluginService _owner;
        private readonly ProtobufFieldAssembler _fields;
        private readonly INriSynchronization _synchronization;
        private bool _more;

        public SynchronizeChunk(NriPluginService owner, long payloadLength)
        {
            _owner = owner;
            _fields = new ProtobufFieldAssembler(payloadLength);
            _synchronization = owner._synchronization ??= owner._handler.BeginSynchronize();
        }

        public void Decode(ReadOnlySequence<byte> piece, bool isEnd) =>
            _fields.Feed(piece, isEnd, this, static (chunk, field) => chunk.Take(field));

        /// <summary>The runtime drops a plugin that fails Synchronize; a later one starts afresh.</summary>
        public void Abandon() => _owner._synchronization = null;

        public ValueTask<IMessage> CompleteAsync(CancellationToken cancellationToken) =>
            _owner.FinishSynchronize(_synchronization, _more, cancellationToken);

        private void Take(ReadOnlySequence<byte> field)
        {
            var reader = new ProtobufFieldReader(field);
            _ = reader.TryReadTag(out int number, out ProtobufWireType wireType);
            switch ((number, wireType))
            {
                case (SyncPodsField, ProtobufWireType.LengthDelimited):
                    _synchronization.AddPod(SynchronizeElementReader.Pod(reader.ReadLengthDelimited(), _synchronization.PodAnnotationPrefix));
                    _owner._syncPods++;
                    break;
                case (SyncContainersField, ProtobufWireType.LengthDelimited):
                    _synchronization.AddContainer(SynchronizeElementReader.Container(reader.ReadLengthDelimited()));
                    _owner._syncContainers++;
                    break;
                case (SyncMoreField, ProtobufWireType.Varint):
                    _more = reader.ReadVarint() != 0;
                    break;
                default:
                    reader.SkipField(number, wireType);
                    break;
            }
        }
    }
}
