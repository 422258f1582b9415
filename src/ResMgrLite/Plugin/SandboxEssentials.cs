using ResMgrLite.Nri.Api;

namespace ResMgrLite.Plugin;

/// <summary>
/// The part of a runtime's pod sandbox that the plugin reads after the event that brought it: its
/// identity, the cgroup parent, the pod-level resources and this project's own annotations. A pod
/// kept for later (tracked pods, a Synchronize gathered until its last chunk) keeps only this: the
/// runtime's sandboxes carry dozens of labels and annotations, namespaces and addresses each, and
/// a node's worth of them would otherwise stay resident for as long as the pods live.
/// </summary>
internal static class SandboxEssentials
{
    /// <summary>Every annotation the plugin reads starts with this (<see cref="NriModelMapper"/>, <see cref="MemoryRequestInference"/>).</summary>
    public const string AnnotationPrefix = "resmgrlite.io/";

    /// <summary><see cref="AnnotationPrefix"/> in UTF-8, for the wire-level filter of a Synchronize.</summary>
    public static ReadOnlySpan<byte> Utf8AnnotationPrefix => "resmgrlite.io/"u8;

    /// <summary>A new sandbox holding only what later decisions read; the strings are shared, not copied.</summary>
    public static PodSandbox Of(PodSandbox sandbox)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        var kept = new PodSandbox
        {
            Id = sandbox.Id,
            Uid = sandbox.Uid,
            Name = sandbox.Name,
            Namespace = sandbox.Namespace,
        };
        // Every entry is kept as received (a key the runtime repeated stays repeated), so lookups
        // still find the last one, as in the whole sandbox.
        foreach (KeyValue annotation in sandbox.Annotations)
        {
            if (annotation.Key.StartsWith(AnnotationPrefix, StringComparison.Ordinal))
            {
                kept.Annotations.Add(annotation);
            }
        }
        if (sandbox.Linux is { } linux)
        {
            kept.Linux = new LinuxPodSandbox { CgroupParent = linux.CgroupParent, PodResources = linux.PodResources };
        }
        return kept;
    }
}
