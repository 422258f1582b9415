using ResMgrLite.Nri;
using ResMgrLite.Nri.Api;

namespace ResMgrLite.Observability;

/// <summary>
/// The runtime's UpdateContainers as the handler sees it, counting each update of a call into
/// <c>resmgrlite_container_updates_total</c>: applied when the runtime accepted it, failed when it
/// named it as failed, refused the call or no connection was there (the runtime side logs why and never throws).
/// Retries are counted where they are decided (<see cref="Plugin.ContainerUpdateCounters"/>).
/// </summary>
internal sealed class CountedRuntime(INriRuntime inner, PluginMetrics metrics) : INriRuntime
{
    public async Task<UpdateContainersResult> UpdateContainersAsync(IReadOnlyList<ContainerUpdate> updates)
    {
        ArgumentNullException.ThrowIfNull(updates);
        UpdateContainersResult result = await inner.UpdateContainersAsync(updates).ConfigureAwait(false);
        int applied = 0;
        foreach (ContainerUpdate update in updates)
        {
            applied += result.Applied(update.ContainerId) ? 1 : 0;
        }
        metrics.OnContainerUpdates(ContainerUpdateResult.Applied, applied);
        metrics.OnContainerUpdates(ContainerUpdateResult.Failed, updates.Count - applied);
        return result;
    }
}
