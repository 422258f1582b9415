using ResMgrLite.Nri;
using ResMgrLite.Nri.Api;

namespace ResMgrLite.Observability;

/// <summary>
/// The runtime's UpdateContainers as the handler sees it, counting each batch into
/// <c>resmgrlite_container_updates_total</c>: applied when the runtime accepted it, failed when it
/// refused it or no connection was there (the runtime side logs why and never throws).
/// </summary>
internal sealed class CountedRuntime(INriRuntime inner, PluginMetrics metrics) : INriRuntime
{
    public async Task<bool> UpdateContainersAsync(IReadOnlyList<ContainerUpdate> updates)
    {
        ArgumentNullException.ThrowIfNull(updates);
        bool applied = await inner.UpdateContainersAsync(updates).ConfigureAwait(false);
        metrics.OnContainerUpdates(applied ? ContainerUpdateResult.Applied : ContainerUpdateResult.Failed, updates.Count);
        return applied;
    }
}
