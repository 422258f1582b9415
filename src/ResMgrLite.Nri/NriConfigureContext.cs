namespace ResMgrLite.Nri;

/// <summary>What a handler learns at Configure time.</summary>
/// <param name="Config">
/// The drop-in file content for pre-launched plugins, unparsed; always empty for external plugins
/// (docs/nri-rules.md §1.2–§1.3). Empty means defaults.
/// </param>
/// <param name="Runtime">The runtime's identity and NRI level.</param>
/// <param name="Updates">Channel for unsolicited updates; valid for this connection.</param>
internal sealed record NriConfigureContext(string Config, NriRuntimeInfo Runtime, INriRuntime Updates);
