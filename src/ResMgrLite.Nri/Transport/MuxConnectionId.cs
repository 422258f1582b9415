namespace ResMgrLite.Nri.Transport;

/// <summary>The two logical connections NRI opens on the trunk (docs/nri-rules.md §2.2).</summary>
internal static class MuxConnectionId
{
    /// <summary>Runtime is the ttrpc client, the plugin serves <c>nri.pkg.api.v1alpha1.Plugin</c>.</summary>
    public const uint PluginService = 1;

    /// <summary>The plugin is the ttrpc client of <c>nri.pkg.api.v1alpha1.Runtime</c>.</summary>
    public const uint RuntimeService = 2;
}
