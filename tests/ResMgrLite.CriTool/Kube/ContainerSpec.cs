namespace ResMgrLite.CriTool.Kube;

/// <summary>
/// One app container of a pod: requests and limits after API defaulting (a missing request takes
/// the limit's value, as the API server does; docs/kubelet-rules.md §8), and an optional
/// command. Without a command the image's own (a loop that exits on TERM) runs.
/// </summary>
internal sealed record ContainerSpec
{
    public ContainerSpec(string name, ResourceAmounts requests, ResourceAmounts limits, IReadOnlyList<string>? command = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Limits = limits;
        Requests = new ResourceAmounts(
            requests.HasCpu ? requests.MilliCpu : limits.MilliCpu,
            requests.HasMemory ? requests.MemoryBytes : limits.MemoryBytes);
        Command = command ?? [];
    }

    public string Name { get; }

    public ResourceAmounts Requests { get; }

    public ResourceAmounts Limits { get; }

    public IReadOnlyList<string> Command { get; }
}
