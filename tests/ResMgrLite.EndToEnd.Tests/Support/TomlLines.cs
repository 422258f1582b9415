namespace ResMgrLite.EndToEnd.Tests.Support;

/// <summary>
/// The "key = value" lines of a containerd TOML file by (section, key), quotes normalised (our
/// files use ", containerd 2.x's dump uses '): enough to compare a written configuration with
/// `containerd config dump`, which prints one key per line. Not a TOML parser.
/// </summary>
internal static class TomlLines
{
    private const string PluginsPrefix = "plugins.\"";

    public static Dictionary<(string Section, string Key), string> Parse(string text)
    {
        var entries = new Dictionary<(string Section, string Key), string>();
        var section = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith("time=", StringComparison.Ordinal))
            {
                continue;
            }

            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                section = Normalize(line.Trim('[', ']'));
                continue;
            }

            var equals = line.IndexOf(" = ", StringComparison.Ordinal);
            if (equals > 0)
            {
                entries[(section, line[..equals].Trim())] = Normalize(line[(equals + 3)..].Trim());
            }
        }

        return entries;
    }

    /// <summary>The plugin a section configures ("plugins."io.containerd.cri.v1.runtime".cni" → io.containerd.cri.v1.runtime), or null.</summary>
    public static string? PluginOf(string section)
    {
        if (!section.StartsWith(PluginsPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var end = section.IndexOf('"', PluginsPrefix.Length);
        return end < 0 ? null : section[PluginsPrefix.Length..end];
    }

    private static string Normalize(string text) => text.Replace('\'', '"');
}
