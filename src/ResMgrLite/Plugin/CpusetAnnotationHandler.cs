using ResMgrLite.Engine;
using ResMgrLite.Nri;
using ResMgrLite.Nri.Api;

namespace ResMgrLite.Plugin;

/// <summary>
/// The event handler the executable uses until the resource engine is wired in. It keeps a
/// registry of the pods and containers it has seen and changes nothing, with one documented
/// exception that lets the end-to-end tests check that "a cpuset the plugin returns is what the
/// kernel shows":
/// <list type="bullet">
/// <item>CreateContainer: if the pod carries the annotation <c>resmgrlite.io/cpuset</c> with a valid,
/// non-empty Linux cpulist, the container's <c>cpu.cpus</c> is set to it (normalised, e.g.
/// "3,1-2" → "1-3"). An invalid value is logged and ignored: the container is created unchanged
/// rather than failed.</item>
/// <item>Every other event: no adjustment and no updates (UpdateContainer in particular is left
/// alone, because touching it on 1.7.24 drops the CRI request's unified and swap settings,
/// spec/nri-protocol.md §7.4).</item>
/// </list>
/// Every event is logged at debug level.
/// </summary>
internal sealed class CpusetAnnotationHandler : INriEventHandler
{
    public const string CpusetAnnotation = "resmgrlite.io/cpuset";

    /// <summary>Events the registry needs; the host drops what an old runtime cannot deliver.</summary>
    public const NriEventMask Subscribed =
        NriEventMask.RunPodSandbox | NriEventMask.StopPodSandbox | NriEventMask.RemovePodSandbox
        | NriEventMask.CreateContainer | NriEventMask.StartContainer | NriEventMask.UpdateContainer
        | NriEventMask.StopContainer | NriEventMask.RemoveContainer | NriEventMask.UpdatePodSandbox;

    private readonly IProtocolLog _log;
    private readonly Action<string>? _onConfig;

    /// <param name="log">Where events are logged.</param>
    /// <param name="onConfig">Receives the Configure config text (empty = defaults) before events are subscribed.</param>
    public CpusetAnnotationHandler(IProtocolLog log, Action<string>? onConfig = null)
    {
        _log = log;
        _onConfig = onConfig;
    }

    public PodRegistry Registry { get; } = new();

    public NriRuntimeInfo? Runtime { get; private set; }

    /// <summary>Cpuset for a container of <paramref name="pod"/>, or null when the rule does not apply.</summary>
    public static string? CpusetFor(PodSandbox pod, out string? invalidReason)
    {
        invalidReason = null;
        if (!pod.Annotations.TryGetValue(CpusetAnnotation, out string? value))
        {
            return null;
        }

        if (!CpuSet.TryParse(value.AsSpan().Trim(), out CpuSet cpus, out CpuListError error))
        {
            invalidReason = $"'{value}' is not a cpulist: {error.Reason} at position {error.Position}";
            return null;
        }

        if (cpus.IsEmpty)
        {
            invalidReason = "the cpulist is empty";
            return null;
        }

        return cpus.ToString();
    }

    public ValueTask<NriEventMask> ConfigureAsync(NriConfigureContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        Runtime = context.Runtime;
        _onConfig?.Invoke(context.Config);
        _log.Write(ProtocolLogLevel.Info, $"runtime {context.Runtime.Name} {context.Runtime.Version} (NRI {context.Runtime.Level}), config {context.Config.Length} bytes");
        return ValueTask.FromResult(Subscribed);
    }

    public ValueTask<IReadOnlyList<ContainerUpdate>> SynchronizeAsync(IReadOnlyList<PodSandbox> pods, IReadOnlyList<Container> containers, CancellationToken cancellationToken)
    {
        Registry.ReplaceAll(pods, containers);
        Debug($"synchronize: {pods.Count} pods, {containers.Count} containers");
        return ValueTask.FromResult<IReadOnlyList<ContainerUpdate>>([]);
    }

    public ValueTask<CreateContainerResult> CreateContainerAsync(PodSandbox pod, Container container, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        Registry.AddPod(pod);
        Registry.AddContainer(container);
        string? cpus = CpusetFor(pod, out string? invalid);
        if (invalid is not null)
        {
            _log.Write(ProtocolLogLevel.Warning, $"create container {Describe(pod, container)}: ignoring annotation {CpusetAnnotation}: {invalid}");
        }

        Debug($"create container {Describe(pod, container)}: cpuset {cpus ?? "unchanged"}");
        if (cpus is null)
        {
            return ValueTask.FromResult(CreateContainerResult.NoChange);
        }

        var adjustment = new ContainerAdjustment
        {
            Linux = new LinuxContainerAdjustment { Resources = new LinuxResources { Cpu = new LinuxCPU { Cpus = cpus } } },
        };
        return ValueTask.FromResult(new CreateContainerResult(adjustment, []));
    }

    public ValueTask<IReadOnlyList<ContainerUpdate>> UpdateContainerAsync(PodSandbox pod, Container container, LinuxResources? requested, CancellationToken cancellationToken)
    {
        Registry.AddContainer(container);
        Debug($"update container {Describe(pod, container)}: requested cpus '{requested?.Cpu?.Cpus}'");
        return ValueTask.FromResult<IReadOnlyList<ContainerUpdate>>([]);
    }

    public ValueTask<IReadOnlyList<ContainerUpdate>> StopContainerAsync(PodSandbox pod, Container container, CancellationToken cancellationToken)
    {
        Debug($"stop container {Describe(pod, container)}");
        return ValueTask.FromResult<IReadOnlyList<ContainerUpdate>>([]);
    }

    public ValueTask StateChangeAsync(Event kind, PodSandbox pod, Container? container, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        switch (kind)
        {
            case Event.RunPodSandbox:
                Registry.AddPod(pod);
                break;
            case Event.RemovePodSandbox:
                Registry.RemovePod(pod.Id);
                break;
            case Event.RemoveContainer when container is not null:
                Registry.RemoveContainer(container.Id);
                break;
            case Event.StartContainer or Event.PostCreateContainer or Event.PostStartContainer when container is not null:
                Registry.AddContainer(container);
                break;
        }

        Debug($"{kind}: {(container is null ? $"pod {pod.Namespace}/{pod.Name} ({pod.Id})" : Describe(pod, container))}");
        return ValueTask.CompletedTask;
    }

    public ValueTask UpdatePodSandboxAsync(PodSandbox pod, LinuxResources? overhead, LinuxResources? resources, CancellationToken cancellationToken)
    {
        Registry.AddPod(pod);
        Debug($"update pod {pod.Namespace}/{pod.Name} ({pod.Id}): cpus '{resources?.Cpu?.Cpus}'");
        return ValueTask.CompletedTask;
    }

    public ValueTask ShutdownAsync(CancellationToken cancellationToken)
    {
        _log.Write(ProtocolLogLevel.Info, "runtime asked for shutdown");
        return ValueTask.CompletedTask;
    }

    private static string Describe(PodSandbox pod, Container container) =>
        $"{pod.Namespace}/{pod.Name}/{container.Name} ({container.Id})";

    private void Debug(string message)
    {
        if (_log.IsEnabled(ProtocolLogLevel.Debug))
        {
            _log.Write(ProtocolLogLevel.Debug, message);
        }
    }
}
