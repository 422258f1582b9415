using ResMgrLite.Config.Sources;

namespace ResMgrLite.Config.Schema;

/// <summary>Looks a concrete configuration path up in <see cref="ConfigSchema"/> (segments compare case-insensitively).</summary>
internal static class SchemaMatch
{
    /// <summary>The key whose pattern matches the whole path, or null.</summary>
    public static ConfigKey? FindKey(string path)
    {
        string[] segments = path.Split(ConfigPath.Separator);
        foreach (ConfigKey key in ConfigSchema.Keys)
        {
            if (key.Segments.Count == segments.Length && PrefixMatches(key, segments, segments.Length))
            {
                return key;
            }
        }
        return null;
    }

    /// <summary>The pattern segment that follows this path in some key ("#", "*" or a name), or null if no key lies below it.</summary>
    public static string? NextSegmentBelow(string path)
    {
        string[] segments = path.Split(ConfigPath.Separator);
        foreach (ConfigKey key in ConfigSchema.Keys)
        {
            if (key.Segments.Count > segments.Length && PrefixMatches(key, segments, segments.Length))
            {
                return key.Segments[segments.Length];
            }
        }
        return null;
    }

    /// <summary>Names the schema allows right below <paramref name="parentPath"/> (for suggestions), each once, in schema order.</summary>
    public static List<string> ChildNames(string parentPath)
    {
        string[] segments = parentPath.Length == 0 ? [] : parentPath.Split(ConfigPath.Separator);
        var names = new List<string>();
        foreach (ConfigKey key in ConfigSchema.Keys)
        {
            if (key.Segments.Count > segments.Length && PrefixMatches(key, segments, segments.Length)
                && key.Segments[segments.Length] is not ("*" or "#") and { } name && !names.Contains(name))
            {
                names.Add(name);
            }
        }
        return names;
    }

    private static bool PrefixMatches(ConfigKey key, string[] segments, int count)
    {
        for (int i = 0; i < count; i++)
        {
            string pattern = key.Segments[i];
            bool matches = pattern switch
            {
                "*" => segments[i].Length > 0,
                "#" => segments[i].Length > 0 && !segments[i].AsSpan().ContainsAnyExceptInRange('0', '9'),
                _ => string.Equals(pattern, segments[i], StringComparison.OrdinalIgnoreCase),
            };
            if (!matches)
            {
                return false;
            }
        }

        return true;
    }
}
