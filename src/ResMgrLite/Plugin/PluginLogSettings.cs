using ResMgrLite.Nri;

namespace ResMgrLite.Plugin;

/// <summary>Logging settings a configuration file may carry; null members keep the current value.</summary>
internal sealed record PluginLogSettings(string? Path, ProtocolLogLevel? Level);
