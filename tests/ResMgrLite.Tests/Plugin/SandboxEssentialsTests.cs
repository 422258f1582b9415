using ResMgrLite.Nri.Api;
using ResMgrLite.Plugin;

namespace ResMgrLite.Tests.Plugin;

/// <summary>
/// A pod kept for later holds only what later decisions read: its identity, cgroup parent, pod
/// resources and the project's own annotations, never the runtime's labels, foreign annotations,
/// namespaces or addresses (they would stay resident for as long as the pod lives).
/// </summary>
public sealed class SandboxEssentialsTests
{
    private static PodSandbox RuntimeSandbox()
    {
        var pod = new PodSandbox
        {
            Id = "sandbox-1",
            Uid = "0b6f4c1e-4a8e-4c33-9d1a-2b3c4d5e6f70",
            Name = "web",
            Namespace = "default",
            Pid = 4242,
            Linux = new LinuxPodSandbox
            {
                CgroupParent = "/kubepods/burstable/pod0b6f4c1e-4a8e-4c33-9d1a-2b3c4d5e6f70",
                CgroupsPath = "/kubepods/burstable/pod0b6f4c1e-4a8e-4c33-9d1a-2b3c4d5e6f70/sandbox-1",
                PodResources = new LinuxResources { Cpu = new LinuxCPU { Shares = new OptionalUInt64 { Value = 512 } } },
                Resources = new LinuxResources { Cpu = new LinuxCPU { Shares = new OptionalUInt64 { Value = 2 } } },
            },
        };
        pod.Linux.Namespaces.Add(new LinuxNamespace { Type = "network", Path = "/var/run/netns/cni-1" });
        pod.Labels.Set("app", "web");
        pod.Ips.Add("10.0.0.7");
        pod.Annotations.Set("kubernetes.io/config.seen", "2025-01-01T00:00:00Z");
        for (int i = 0; i < 80; i++)
        {
            pod.Annotations.Set($"bench.example.com/pad-{i:000}", new string('f', 60));
        }
        pod.Annotations.Set(NriModelMapper.RolesAnnotation, "init:setup");
        pod.Annotations.Set(MemoryRequestInference.AnnotationKey, "app=256Mi");
        return pod;
    }

    [Fact]
    public void A_tracked_pod_keeps_only_what_later_decisions_read()
    {
        PodSandbox runtime = RuntimeSandbox();
        var tracker = new PodTracker(16L << 30);

        PodSandbox kept = tracker.PodFor(runtime, null).Sandbox;

        Assert.Equal(["resmgrlite.io/container-roles", "resmgrlite.io/memory-request"], kept.Annotations.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Equal("init:setup", kept.Annotations.Single(e => e.Key == NriModelMapper.RolesAnnotation).Value);
        Assert.Empty(kept.Labels);
        Assert.Empty(kept.Ips);
        Assert.Equal(0u, kept.Pid);
        Assert.Equal(runtime.Id, kept.Id);
        Assert.Equal(runtime.Uid, kept.Uid);
        Assert.Equal(runtime.Name, kept.Name);
        Assert.Equal(runtime.Namespace, kept.Namespace);
        Assert.Equal(runtime.Linux.CgroupParent, kept.Linux.CgroupParent);
        Assert.Equal(runtime.Linux.PodResources, kept.Linux.PodResources);
        Assert.Empty(kept.Linux.Namespaces);
        Assert.Null(kept.Linux.Resources);
        Assert.Equal("", kept.Linux.CgroupsPath);
        // The runtime's object is left as it came (the event that brought it may still read it).
        Assert.Equal(83, runtime.Annotations.Count);
    }

    [Fact]
    public void A_refreshed_pod_keeps_only_what_later_decisions_read()
    {
        var tracker = new PodTracker(16L << 30);
        TrackedPod tracked = tracker.PodFor(RuntimeSandbox(), null);

        tracker.Refresh(RuntimeSandbox());

        Assert.Empty(tracked.Sandbox.Labels);
        Assert.Equal(2, tracked.Sandbox.Annotations.Count);
        Assert.Equal("kubepods/burstable/pod0b6f4c1e-4a8e-4c33-9d1a-2b3c4d5e6f70", tracked.CgroupPath);
    }

    [Fact]
    public async Task A_gathered_Synchronize_keeps_only_what_later_decisions_read()
    {
        IReadOnlyList<PodSandbox>? seen = null;
        var collector = new SynchronizeCollector((pods, _, _) =>
        {
            seen = pods;
            return ValueTask.FromResult<IReadOnlyList<ContainerUpdate>>([]);
        });

        collector.AddPod(RuntimeSandbox());
        await collector.CompleteAsync(CancellationToken.None);

        PodSandbox pod = Assert.Single(seen!);
        Assert.Empty(pod.Labels);
        Assert.Equal(2, pod.Annotations.Count);
        Assert.Equal("sandbox-1", pod.Id);
    }

    [Fact]
    public void The_wire_level_prefix_is_the_annotation_prefix() =>
        Assert.Equal(SandboxEssentials.AnnotationPrefix, System.Text.Encoding.UTF8.GetString(SandboxEssentials.Utf8AnnotationPrefix));
}
