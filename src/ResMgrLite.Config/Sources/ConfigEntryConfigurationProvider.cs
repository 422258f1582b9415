using Microsoft.Extensions.Configuration;

namespace ResMgrLite.Config.Sources;

/// <summary>
/// Exposes flattened entries to Microsoft.Extensions.Configuration. Tables and arrays add no
/// value of their own unless empty, matching what the JSON provider does for <c>{}</c> and <c>[]</c>.
/// </summary>
internal sealed class ConfigEntryConfigurationProvider(IReadOnlyList<ConfigEntry> entries) : ConfigurationProvider
{
    public override void Load()
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var parentsOfValues = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in entries)
        {
            if (entry.IsContainer)
            {
                continue;
            }

            data[entry.Path] = entry.Value;
            for (int cut = entry.Path.LastIndexOf(ConfigPath.Separator); cut > 0; cut = entry.Path.LastIndexOf(ConfigPath.Separator, cut - 1))
            {
                parentsOfValues.Add(entry.Path[..cut]);
            }
        }

        foreach (var entry in entries)
        {
            if (entry.IsContainer && !parentsOfValues.Contains(entry.Path))
            {
                data.TryAdd(entry.Path, null);
            }
        }

        Data = data;
    }
}
