using System.Diagnostics;
using ResMgrLite.Nri;
using ResMgrLite.Nri.Api;
using ResMgrLite.Observability.Logging;
using ResMgrLite.Plugin;

namespace ResMgrLite.Observability;

/// <summary>
/// Wraps the plugin's event handler at the NRI boundary: times every request into
/// <c>resmgrlite_nri_request_duration_seconds{event}</c> (also when the handler throws, which
/// answers the runtime with an error), names the request's event, pod and container for the log
/// entries written while serving it (<see cref="LogContext"/>), and after each Configure tells the
/// metrics which runtime this is and whether resource management came up.
/// </summary>
internal sealed class MeasuredEventHandler : INriEventHandler
{
    private readonly INriEventHandler _inner;
    private readonly PluginMetrics _metrics;
    private readonly Func<PassiveReason> _passiveReason;

    /// <param name="passiveReason">Asked after each Configure: is resource management on (None), or why not?</param>
    public MeasuredEventHandler(INriEventHandler inner, PluginMetrics metrics, Func<PassiveReason> passiveReason)
    {
        _inner = inner;
        _metrics = metrics;
        _passiveReason = passiveReason;
    }

    public ReadOnlySpan<byte> EventAnnotationPrefix => _inner.EventAnnotationPrefix;

    public async ValueTask<NriEventMask> ConfigureAsync(NriConfigureContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        long start = Stopwatch.GetTimestamp();
        LogContext.Enter("Configure", "", "");
        try
        {
            // Unsolicited updates are counted where they are sent (ContainerUpdateCounters).
            return await _inner.ConfigureAsync(context, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Observe(NriRequestKind.Configure, start);
            _metrics.SetRuntime($"{context.Runtime.Name} {context.Runtime.Version}".Trim(), NriLevelName(context.Runtime.Level));
            _metrics.OnResourceManagement(_passiveReason());
        }
    }

    // The other requests are not async methods: the handler answers them synchronously, so one shared
    // slow path per result shape replaces a state machine per method (smaller binary, no box).

    public INriSynchronization BeginSynchronize() => new MeasuredSynchronization(this, _inner.BeginSynchronize());

    /// <summary>One streamed Synchronize, timed from its first object to its answer.</summary>
    private sealed class MeasuredSynchronization(MeasuredEventHandler owner, INriSynchronization inner) : INriSynchronization
    {
        private readonly long _start = Stopwatch.GetTimestamp();

        public void AddPod(PodSandbox pod) => inner.AddPod(pod);

        public void AddContainer(Container container) => inner.AddContainer(container);

        public ValueTask<IReadOnlyList<ContainerUpdate>> CompleteAsync(CancellationToken cancellationToken)
        {
            LogContext.Enter("Synchronize", "", "");
            try
            {
                return owner.Timed(inner.CompleteAsync(cancellationToken), NriRequestKind.Synchronize, _start);
            }
            catch
            {
                owner.Observe(NriRequestKind.Synchronize, _start);
                throw;
            }
            finally
            {
                LogContext.Leave();
            }
        }
    }

    public ValueTask PostUpdatePodSandboxAsync(PodSandbox pod, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        Enter("PostUpdatePodSandbox", pod, null);
        try
        {
            return Timed(_inner.PostUpdatePodSandboxAsync(pod, cancellationToken), NriRequestKind.PostUpdatePodSandbox, start);
        }
        catch
        {
            Observe(NriRequestKind.PostUpdatePodSandbox, start);
            throw;
        }
        finally
        {
            LogContext.Leave();
        }
    }

    public ValueTask<CreateContainerResult> CreateContainerAsync(PodSandbox pod, Container container, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        Enter("CreateContainer", pod, container);
        try
        {
            return Timed(_inner.CreateContainerAsync(pod, container, cancellationToken), NriRequestKind.CreateContainer, start);
        }
        catch
        {
            Observe(NriRequestKind.CreateContainer, start);
            throw;
        }
        finally
        {
            LogContext.Leave();
        }
    }

    public ValueTask<IReadOnlyList<ContainerUpdate>> UpdateContainerAsync(PodSandbox pod, Container container, LinuxResources? requested, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        Enter("UpdateContainer", pod, container);
        try
        {
            return Timed(_inner.UpdateContainerAsync(pod, container, requested, cancellationToken), NriRequestKind.UpdateContainer, start);
        }
        catch
        {
            Observe(NriRequestKind.UpdateContainer, start);
            throw;
        }
        finally
        {
            LogContext.Leave();
        }
    }

    public ValueTask<IReadOnlyList<ContainerUpdate>> StopContainerAsync(PodSandbox pod, Container container, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        Enter("StopContainer", pod, container);
        try
        {
            return Timed(_inner.StopContainerAsync(pod, container, cancellationToken), NriRequestKind.StopContainer, start);
        }
        catch
        {
            Observe(NriRequestKind.StopContainer, start);
            throw;
        }
        finally
        {
            LogContext.Leave();
        }
    }

    public ValueTask StateChangeAsync(Event kind, PodSandbox pod, Container? container, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        NriRequestKind? request = KindOf(kind);
        Enter(request is { } named ? PluginMetrics.NriRequestNames[(int)named] : "StateChange", pod, container);
        try
        {
            ValueTask pending = _inner.StateChangeAsync(kind, pod, container, cancellationToken);
            return request is { } timed ? Timed(pending, timed, start) : pending;
        }
        catch
        {
            if (request is { } failed)
            {
                Observe(failed, start);
            }
            throw;
        }
        finally
        {
            LogContext.Leave();
        }
    }

    public ValueTask UpdatePodSandboxAsync(PodSandbox pod, LinuxResources? overhead, LinuxResources? resources, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        Enter("UpdatePodSandbox", pod, null);
        try
        {
            return Timed(_inner.UpdatePodSandboxAsync(pod, overhead, resources, cancellationToken), NriRequestKind.UpdatePodSandbox, start);
        }
        catch
        {
            Observe(NriRequestKind.UpdatePodSandbox, start);
            throw;
        }
        finally
        {
            LogContext.Leave();
        }
    }

    public ValueTask ShutdownAsync(CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        LogContext.Enter("Shutdown", "", "");
        try
        {
            return Timed(_inner.ShutdownAsync(cancellationToken), NriRequestKind.Shutdown, start);
        }
        catch
        {
            Observe(NriRequestKind.Shutdown, start);
            throw;
        }
        finally
        {
            LogContext.Leave();
        }
    }

    /// <summary>Observes a request that answered at once; an answer still pending is observed when it comes.</summary>
    private ValueTask<T> Timed<T>(ValueTask<T> pending, NriRequestKind kind, long start)
    {
        if (pending.IsCompleted)
        {
            Observe(kind, start);
            if (pending.IsCompletedSuccessfully)
            {
                CountUpdates(pending.Result);
            }
            return pending;
        }
        return ObservedWhenDone(pending, kind, start);
    }

    private ValueTask Timed(ValueTask pending, NriRequestKind kind, long start)
    {
        if (pending.IsCompleted)
        {
            Observe(kind, start);
            return pending;
        }
        return ObservedWhenDone(pending, kind, start);
    }

    private async ValueTask<T> ObservedWhenDone<T>(ValueTask<T> pending, NriRequestKind kind, long start)
    {
        try
        {
            T result = await pending.ConfigureAwait(false);
            CountUpdates(result);
            return result;
        }
        finally
        {
            Observe(kind, start);
        }
    }

    private async ValueTask ObservedWhenDone(ValueTask pending, NriRequestKind kind, long start)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        finally
        {
            Observe(kind, start);
        }
    }

    /// <summary>Updates of other containers carried by an answer (CreateContainer, UpdateContainer, Synchronize) reach the runtime with it.</summary>
    private void CountUpdates<T>(T answer)
    {
        int count = answer switch
        {
            CreateContainerResult created => created.Updates.Count,
            IReadOnlyList<ContainerUpdate> updates => updates.Count,
            _ => 0,
        };
        if (count > 0)
        {
            _metrics.OnContainerUpdates(ContainerUpdateResult.Applied, count);
        }
    }

    private static void Enter(string eventName, PodSandbox? pod, Container? container) =>
        LogContext.Enter(eventName, pod is null ? "" : $"{pod.Namespace}/{pod.Name}", container?.Name ?? "");

    private void Observe(NriRequestKind kind, long start) =>
        _metrics.OnNriRequest(kind, Stopwatch.GetElapsedTime(start).TotalSeconds);

    /// <summary>The state-change events NRI delivers through StateChange, by their method names.</summary>
    internal static NriRequestKind? KindOf(Event kind) => kind switch
    {
        Event.RunPodSandbox => NriRequestKind.RunPodSandbox,
        Event.StopPodSandbox => NriRequestKind.StopPodSandbox,
        Event.RemovePodSandbox => NriRequestKind.RemovePodSandbox,
        Event.StartContainer => NriRequestKind.StartContainer,
        Event.RemoveContainer => NriRequestKind.RemoveContainer,
        Event.PostCreateContainer => NriRequestKind.PostCreateContainer,
        Event.PostStartContainer => NriRequestKind.PostStartContainer,
        Event.PostUpdateContainer => NriRequestKind.PostUpdateContainer,
        Event.PostUpdatePodSandbox => NriRequestKind.PostUpdatePodSandbox,
        _ => null,
    };

    /// <summary>The NRI API level as an operator reads it (v0.6 … v0.12).</summary>
    internal static string NriLevelName(NriApiLevel level) => level switch
    {
        NriApiLevel.V0_6 => "v0.6",
        NriApiLevel.V0_7 => "v0.7",
        NriApiLevel.V0_10 => "v0.10",
        NriApiLevel.V0_12 => "v0.12",
        _ => "unknown",
    };
}
