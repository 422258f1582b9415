namespace ResMgrLite.EndToEnd.Tests.Support;

/// <summary>
/// Every real-containerd test runs in this one collection, without parallelism: one containerd
/// at a time on a 2-core machine, and the kubepods cgroup tree is shared host state.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealContainerdCollection
{
    public const string Name = "real containerd";
}
