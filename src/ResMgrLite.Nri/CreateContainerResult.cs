using ResMgrLite.Nri.Api;

namespace ResMgrLite.Nri;

/// <summary>
/// The answer to CreateContainer: changes to the container being created, plus updates of
/// <em>other</em> containers (putting the new container in <see cref="Updates"/> fails the
/// creation, docs/nri-rules.md §7.2).
/// </summary>
internal sealed record CreateContainerResult(ContainerAdjustment? Adjustment, IReadOnlyList<ContainerUpdate> Updates)
{
    public static CreateContainerResult NoChange { get; } = new(null, []);
}
