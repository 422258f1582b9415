using System.Collections.Concurrent;
using ResMgrLite.Nri.Api;

namespace ResMgrLite.Nri.Tests.Support;

/// <summary>An event handler whose answers are set per test and which records every call.</summary>
internal sealed class RecordingHandler : INriEventHandler
{
    public ConcurrentQueue<string> Calls { get; } = new();

    public NriConfigureContext? Configured { get; private set; }

    public NriEventMask Wanted { get; set; } = NriEventMask.CreateContainer | NriEventMask.StopContainer | NriEventMask.RemoveContainer;

    public Func<PodSandbox, Container, CreateContainerResult> OnCreate { get; set; } = (_, _) => CreateContainerResult.NoChange;

    public Func<IReadOnlyList<PodSandbox>, IReadOnlyList<Container>, IReadOnlyList<ContainerUpdate>> OnSynchronize { get; set; } = (_, _) => [];

    public ConcurrentQueue<(Event Kind, string PodId, string? ContainerId)> StateChanges { get; } = new();

    /// <summary>The pod annotations a Synchronize keeps (UTF-8 key prefix); empty keeps them all.</summary>
    public byte[] PodAnnotationPrefix { get; set; } = [];

    /// <summary>The pod annotations event requests keep (UTF-8 key prefix); empty decodes them whole.</summary>
    public byte[] EventPrefix { get; set; } = [];

    public ReadOnlySpan<byte> EventAnnotationPrefix => EventPrefix;

    public ValueTask<NriEventMask> ConfigureAsync(NriConfigureContext context, CancellationToken cancellationToken)
    {
        Configured = context;
        Calls.Enqueue("Configure");
        return ValueTask.FromResult(Wanted);
    }

    public INriSynchronization BeginSynchronize() => new Synchronization(this);

    /// <summary>Object order as streamed: "pod p1", "container c1", …, across all syncs.</summary>
    public ConcurrentQueue<string> Streamed { get; } = new();

    public ValueTask<CreateContainerResult> CreateContainerAsync(PodSandbox pod, Container container, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"CreateContainer {container.Id}");
        return ValueTask.FromResult(OnCreate(pod, container));
    }

    public ValueTask<IReadOnlyList<ContainerUpdate>> UpdateContainerAsync(PodSandbox pod, Container container, LinuxResources? requested, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"UpdateContainer {container.Id} {requested?.Cpu?.Cpus}");
        return ValueTask.FromResult<IReadOnlyList<ContainerUpdate>>([]);
    }

    public ValueTask<IReadOnlyList<ContainerUpdate>> StopContainerAsync(PodSandbox pod, Container container, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"StopContainer {container.Id}");
        return ValueTask.FromResult<IReadOnlyList<ContainerUpdate>>([]);
    }

    public ValueTask StateChangeAsync(Event kind, PodSandbox pod, Container? container, CancellationToken cancellationToken)
    {
        StateChanges.Enqueue((kind, pod.Id, container?.Id));
        Calls.Enqueue($"StateChange {kind}");
        return ValueTask.CompletedTask;
    }

    public ValueTask UpdatePodSandboxAsync(PodSandbox pod, LinuxResources? overhead, LinuxResources? resources, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"UpdatePodSandbox {pod.Id} {resources?.Cpu?.Cpus}");
        return ValueTask.CompletedTask;
    }

    public ValueTask PostUpdatePodSandboxAsync(PodSandbox pod, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"PostUpdatePodSandbox {pod.Id}");
        return ValueTask.CompletedTask;
    }

    public ValueTask ShutdownAsync(CancellationToken cancellationToken)
    {
        Calls.Enqueue("Shutdown");
        return ValueTask.CompletedTask;
    }

    private sealed class Synchronization(RecordingHandler owner) : INriSynchronization
    {
        private readonly List<PodSandbox> _pods = [];
        private readonly List<Container> _containers = [];

        public ReadOnlySpan<byte> PodAnnotationPrefix => owner.PodAnnotationPrefix;

        public void AddPod(PodSandbox pod)
        {
            owner.Streamed.Enqueue($"pod {pod.Id}");
            _pods.Add(pod);
        }

        public void AddContainer(Container container)
        {
            owner.Streamed.Enqueue($"container {container.Id}");
            _containers.Add(container);
        }

        public ValueTask<IReadOnlyList<ContainerUpdate>> CompleteAsync(CancellationToken cancellationToken)
        {
            owner.Calls.Enqueue($"Synchronize {_pods.Count} {_containers.Count}");
            return ValueTask.FromResult(owner.OnSynchronize(_pods, _containers));
        }
    }
}
