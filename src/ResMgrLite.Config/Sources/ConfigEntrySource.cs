using Microsoft.Extensions.Configuration;

namespace ResMgrLite.Config.Sources;

/// <summary>An <see cref="IConfigurationSource"/> over already-read entries (TOML, JSON or environment).</summary>
internal sealed class ConfigEntrySource(IReadOnlyList<ConfigEntry> entries) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new ConfigEntryConfigurationProvider(entries);
}
