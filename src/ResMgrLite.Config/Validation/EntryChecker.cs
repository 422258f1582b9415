using System.Globalization;
using ResMgrLite.Config.Schema;
using ResMgrLite.Config.Sources;
using ResMgrLite.Engine;

namespace ResMgrLite.Config.Validation;

/// <summary>
/// First validation pass, per source: every key must be known (else "did you mean") and every
/// value must have the key's type and syntax. Only entries that pass reach the binder, so one
/// mistake yields one message and the remaining keys are still checked.
/// </summary>
internal static class EntryChecker
{
    public static List<ConfigEntry> Check(ConfigDocument document, List<ConfigProblem> problems)
    {
        var accepted = new List<ConfigEntry>();
        var rejectedContainers = new List<string>();
        // Microsoft.Extensions.Configuration ignores case, so "policy" and "Policy" would silently collide.
        var seen = new Dictionary<string, ConfigEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in document.Entries)
        {
            // Below an unknown or mistyped table everything would be unknown too: one message is enough.
            if (IsBelowAny(entry.Path, rejectedContainers))
            {
                continue;
            }

            string? problem = entry.IsContainer ? CheckContainer(entry) : CheckValue(entry);
            if (problem is null && !seen.TryAdd(entry.Path, entry) && !seen[entry.Path].IsContainer)
            {
                problem = $"{entry.DisplayPath}: already set at {seen[entry.Path].Location} (keys are case-insensitive)";
            }

            if (problem is null)
            {
                accepted.Add(entry);
                continue;
            }

            problems.Add(new ConfigProblem(entry.Location, problem));
            if (entry.IsContainer)
            {
                rejectedContainers.Add(entry.Path);
            }
        }

        return accepted;
    }

    private static string? CheckContainer(ConfigEntry entry)
    {
        string? next = SchemaMatch.NextSegmentBelow(entry.Path);
        if (next is null)
        {
            return SchemaMatch.FindKey(entry.Path) is { } key
                ? $"{entry.DisplayPath}: expected {Describe(key)}, found {DescribeShape(entry)}"
                : Unknown(entry);
        }

        if (next == "#" && entry.Shape != ConfigValueShape.Array)
        {
            return $"{entry.DisplayPath}: expected an array of tables (write [[{entry.DisplayPath}]] once per item), found a table";
        }

        if (next != "#" && entry.Shape != ConfigValueShape.Table)
        {
            return $"{entry.DisplayPath}: expected a table, found an array";
        }

        return null;
    }

    private static string? CheckValue(ConfigEntry entry)
    {
        var key = SchemaMatch.FindKey(entry.Path);
        if (key is null)
        {
            return SchemaMatch.NextSegmentBelow(entry.Path) is null
                ? Unknown(entry)
                : $"{entry.DisplayPath}: expected a table, found {DescribeShape(entry)}";
        }

        string name = CanonicalDisplay(entry.Path, key);
        if (!ShapeFits(key.Type, entry.Shape))
        {
            return $"{name}: expected {Describe(key)}, found {DescribeShape(entry)}";
        }

        string text = entry.Value ?? "";
        string? syntax = key.Type switch
        {
            ConfigValueType.Boolean when entry.Shape == ConfigValueShape.Untyped && !bool.TryParse(text, out _) => "expected true or false",
            // Integer options are 32-bit (NUMA node ids, node counts); a larger value must not reach the binder.
            ConfigValueType.Integer when !int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int integer) || integer < 0 =>
                "expected a non-negative integer below 2^31",
            ConfigValueType.Float when !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) || !double.IsFinite(number) => "expected a finite number",
            ConfigValueType.Enum when !IsOneOf(text, key.AllowedValues!) =>
                $"'{text}' is not allowed; expected one of {Quoted(key.AllowedValues!, '\'')}{KeySuggester.DidYouMean(text, key.AllowedValues!)}",
            ConfigValueType.CpuList when text.Length > 0 && !CpuSet.TryParse(text, out _, out var error) => $"'{text}' is not a CPU list like \"0-3,8\": {error}",
            ConfigValueType.Quantity when !TryQuantity(text) => $"'{text}' is not a non-negative quantity like \"1Gi\", \"512Mi\" or \"500m\"",
            ConfigValueType.QuantityOrPercent when !TryQuantity(text) && !TryPercent(text) => $"'{text}' is not a non-negative quantity (\"100Mi\") or percentage (\"5%\")",
            ConfigValueType.Duration when !GoDuration.TryParse(text, out var duration) || duration <= TimeSpan.Zero => $"'{text}' is not a positive duration like \"10s\", \"500ms\" or \"1m30s\"",
            ConfigValueType.Path when !(text.Length == 0 && key.Default.Length == 0) && !text.StartsWith('/') => $"'{text}' is not an absolute path",
            ConfigValueType.Address when text.Length > 0 && !IsHostPort(text) && !IsUnixSocket(text) => $"'{text}' is not host:port (e.g. \"127.0.0.1:9464\" or \":9464\") or unix:/absolute/path",
            _ => null,
        };
        return syntax is null ? null : $"{name}: {syntax}";
    }

    /// <summary>The path spelt as the schema spells it (environment variables arrive upper-case).</summary>
    private static string CanonicalDisplay(string path, ConfigKey key)
    {
        string[] segments = path.Split(ConfigPath.Separator);
        for (int i = 0; i < segments.Length; i++)
        {
            if (key.Segments[i] is not "*" and not "#")
            {
                segments[i] = key.Segments[i];
            }
        }

        return ConfigPath.ToDisplay(string.Join(ConfigPath.Separator, segments));
    }

    private static string Unknown(ConfigEntry entry)
    {
        int cut = entry.Path.LastIndexOf(ConfigPath.Separator);
        string parent = cut < 0 ? "" : entry.Path[..cut];
        string name = entry.Path[(cut + 1)..];
        List<string> siblings = SchemaMatch.ChildNames(parent);
        string hint = KeySuggester.DidYouMean(name, siblings);
        if (hint.Length == 0)
        {
            // A known key in the wrong section: suggest where it belongs.
            ConfigKey? elsewhere = null;
            int found = 0;
            foreach (ConfigKey k in ConfigSchema.Keys)
            {
                if (string.Equals(k.Segments[^1], name, StringComparison.OrdinalIgnoreCase))
                {
                    elsewhere = k;
                    found++;
                }
            }
            if (found == 1)
            {
                hint = $"; did you mean '{elsewhere!.DisplayName}'?";
            }
        }

        string where = parent.Length == 0 ? "at the top level" : $"in [{ConfigPath.ToDisplay(parent)}]";
        return $"unknown key '{entry.DisplayPath}' {where}{hint}";
    }

    private static bool ShapeFits(ConfigValueType type, ConfigValueShape shape) => shape == ConfigValueShape.Untyped || type switch
    {
        ConfigValueType.Boolean => shape == ConfigValueShape.Boolean,
        ConfigValueType.Integer => shape == ConfigValueShape.Integer,
        ConfigValueType.Float => shape is ConfigValueShape.Float or ConfigValueShape.Integer,
        ConfigValueType.Quantity or ConfigValueType.QuantityOrPercent => shape is ConfigValueShape.String or ConfigValueShape.Integer,
        _ => shape == ConfigValueShape.String,
    };

    private static bool TryQuantity(string text) => Quantity.TryParse(text, out decimal value) && value >= 0;

    internal static bool TryPercent(string text) =>
        text.EndsWith('%')
        && double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double percent)
        && percent is >= 0 and <= 100;

    private static bool IsHostPort(string text)
    {
        int colon = text.LastIndexOf(':');
        return colon >= 0
            && int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            && port is >= 1 and <= 65535
            && !HasWhiteSpace(text.AsSpan(0, colon));
    }

    private static bool HasWhiteSpace(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                return true;
            }
        }
        return false;
    }

    // A unix socket path must fit sockaddr_un.sun_path (108 bytes with the terminating NUL).
    private static bool IsBelowAny(string path, List<string> containers)
    {
        foreach (string prefix in containers)
        {
            if (path.Length > prefix.Length && path[prefix.Length] == ConfigPath.Separator
                && path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Whether <paramref name="text"/> is one of <paramref name="values"/> exactly (case-sensitive).</summary>
    internal static bool IsOneOf(string text, IReadOnlyList<string> values)
    {
        foreach (string value in values)
        {
            if (string.Equals(value, text, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>"'a', 'b', 'c'" with the given quote.</summary>
    private static string Quoted(IReadOnlyList<string> values, char quote)
    {
        var quoted = new string[values.Count];
        for (int i = 0; i < quoted.Length; i++)
        {
            quoted[i] = quote + values[i] + quote;
        }
        return string.Join(", ", quoted);
    }

    private static bool IsUnixSocket(string text) =>
        text.StartsWith("unix:/", StringComparison.Ordinal) && System.Text.Encoding.UTF8.GetByteCount(text.AsSpan(5)) <= 107;

    internal static string Describe(ConfigKey key) => key.Type switch
    {
        ConfigValueType.Boolean => "a boolean (true or false)",
        ConfigValueType.Integer => "an integer",
        ConfigValueType.Float => "a number",
        ConfigValueType.Enum => "a string (one of " + Quoted(key.AllowedValues!, '"') + ")",
        ConfigValueType.CpuList => "a CPU list string like \"0-3,8\"",
        ConfigValueType.Quantity => "a quantity like \"1Gi\" or an integer",
        ConfigValueType.QuantityOrPercent => "a quantity like \"100Mi\" or a percentage like \"5%\"",
        ConfigValueType.Duration => "a duration string like \"10s\"",
        ConfigValueType.Path => "an absolute path string",
        ConfigValueType.Address => "a host:port or unix:/path string",
        _ => "a string",
    };

    private static string DescribeShape(ConfigEntry entry) => entry.Shape switch
    {
        ConfigValueShape.Table => "a table",
        ConfigValueShape.Array => "an array",
        ConfigValueShape.Null => "null",
        ConfigValueShape.String => $"the string \"{entry.Value}\"",
        ConfigValueShape.Boolean => $"the boolean {entry.Value}",
        ConfigValueShape.DateTime => $"the date-time {entry.Value}",
        ConfigValueShape.Integer => $"the integer {entry.Value}",
        ConfigValueShape.Float => $"the float {entry.Value}",
        _ => $"'{entry.Value}'",
    };
}
