using ResMgrLite.Nri;
using ResMgrLite.Nri.Api;
using ResMgrLite.Plugin;

namespace ResMgrLite.Tests.Plugin;

public class CpusetAnnotationHandlerTests
{
    private static PodSandbox Pod(string id, string? cpuset = null)
    {
        var pod = new PodSandbox { Id = id, Name = id, Namespace = "default" };
        if (cpuset is not null)
        {
            pod.Annotations[CpusetAnnotationHandler.CpusetAnnotation] = cpuset;
        }

        return pod;
    }

    private static Container Container(string id, string podId) => new() { Id = id, PodSandboxId = podId, Name = id };

    [Theory]
    [InlineData("1-3", "1-3")]
    [InlineData("3,1-2", "1-3")]
    [InlineData(" 0,2 ", "0,2")]
    [InlineData("5", "5")]
    public async Task AnnotatedPodGetsItsCpusetNormalised(string annotation, string expected)
    {
        var handler = new CpusetAnnotationHandler(new CollectingLog());

        CreateContainerResult result = await handler.CreateContainerAsync(Pod("p", annotation), Container("c", "p"), CancellationToken.None);

        Assert.Equal(expected, result.Adjustment!.Linux.Resources.Cpu.Cpus);
        Assert.Empty(result.Updates);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("3-1")]
    [InlineData("a,b")]
    [InlineData("0-9999")]
    public async Task WithoutAValidAnnotationNothingChanges(string? annotation)
    {
        var log = new CollectingLog();
        var handler = new CpusetAnnotationHandler(log);

        CreateContainerResult result = await handler.CreateContainerAsync(Pod("p", annotation), Container("c", "p"), CancellationToken.None);

        Assert.Null(result.Adjustment);
        Assert.Empty(result.Updates);
        Assert.Equal(annotation is not null, log.Entries.Any(e => e.Level == ProtocolLogLevel.Warning && e.Message.Contains("resmgrlite.io/cpuset", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task RegistryFollowsSynchronizeAndLifecycleEvents()
    {
        var handler = new CpusetAnnotationHandler(new CollectingLog());
        CancellationToken none = CancellationToken.None;

        await handler.SynchronizeAsync([Pod("p1"), Pod("p2")], [Container("c1", "p1"), Container("c2", "p2")], none);
        await handler.StateChangeAsync(Event.RunPodSandbox, Pod("p3"), null, none);
        await handler.CreateContainerAsync(Pod("p3"), Container("c3", "p3"), none);
        await handler.StateChangeAsync(Event.RemoveContainer, Pod("p1"), Container("c1", "p1"), none);
        await handler.StateChangeAsync(Event.RemovePodSandbox, Pod("p2"), null, none);

        Assert.Equal(2, handler.Registry.PodCount);
        Assert.Equal(1, handler.Registry.ContainerCount);
        Assert.True(handler.Registry.ContainsContainer("c3"));
        Assert.False(handler.Registry.TryGetPod("p2", out _));
    }

    [Fact]
    public async Task ConfigurePassesTheConfigOnAndAsksForRegistryEvents()
    {
        string? seen = null;
        var handler = new CpusetAnnotationHandler(new CollectingLog(), config => seen = config);
        var runtime = NriRuntimeInfo.FromConfigure(new ConfigureRequest { RuntimeName = "containerd", RuntimeVersion = "1.7.24" });

        NriEventMask mask = await handler.ConfigureAsync(new NriConfigureContext("log_file = \"/tmp/x\"", runtime, new NoRuntime()), CancellationToken.None);

        Assert.Equal("log_file = \"/tmp/x\"", seen);
        Assert.True(mask.HasFlag(NriEventMask.CreateContainer | NriEventMask.RemovePodSandbox | NriEventMask.RemoveContainer));
    }

    [Fact]
    public async Task OtherEventsReturnNoUpdates()
    {
        var handler = new CpusetAnnotationHandler(new CollectingLog());

        IReadOnlyList<ContainerUpdate> update = await handler.UpdateContainerAsync(Pod("p", "1"), Container("c", "p"), new LinuxResources(), CancellationToken.None);
        IReadOnlyList<ContainerUpdate> stop = await handler.StopContainerAsync(Pod("p", "1"), Container("c", "p"), CancellationToken.None);

        Assert.Empty(update);
        Assert.Empty(stop);
    }

    private sealed class NoRuntime : INriRuntime
    {
        public Task<bool> UpdateContainersAsync(IReadOnlyList<ContainerUpdate> updates) => Task.FromResult(false);
    }
}
