using ResMgrLite.Nri.Api;

namespace ResMgrLite.Nri;

/// <summary>Calls the plugin can make to the runtime outside of an event (docs/nri-rules.md §7.5).</summary>
internal interface INriRuntime
{
    /// <summary>
    /// Sends unsolicited container updates. Safe to call from inside an event handler as long as
    /// the handler does not await the result: the runtime holds its NRI lock while the event is
    /// processed, so awaiting would deadlock until its 2 s timeout (docs/nri-rules.md §7.5). Never throws;
    /// failures are logged and reported in the result. On 1.7.24 a partial failure cannot be
    /// attributed to any one container: the call fails as a whole. The runtime applies the updates
    /// one after another, so the call may take <see cref="NriConnectionOptions.UpdateTimeout"/>
    /// per update before it is given up.
    /// </summary>
    Task<UpdateContainersResult> UpdateContainersAsync(IReadOnlyList<ContainerUpdate> updates);
}
