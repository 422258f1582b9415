using System.Globalization;
using System.Text.Json;

namespace ResMgrLite.Config.Tests.Toml;

/// <summary>
/// Structural comparison of two tagged-JSON trees by the rules in TomlTestData/README.md
/// ("How a runner should compare"). Returns null when equal, else the path of the first difference.
/// </summary>
internal static class TaggedJsonComparer
{
    public static string? FindDifference(JsonElement expected, JsonElement actual, string path = "$")
    {
        bool expectedIsValue = IsTaggedValue(expected);
        bool actualIsValue = IsTaggedValue(actual);
        if (expectedIsValue != actualIsValue)
        {
            return $"{path}: expected a {(expectedIsValue ? "value" : "table/array")}, got {actual}";
        }

        if (expectedIsValue)
        {
            return CompareValues(expected, actual, path);
        }

        if (expected.ValueKind != actual.ValueKind)
        {
            return $"{path}: expected {expected.ValueKind}, got {actual.ValueKind}";
        }

        if (expected.ValueKind == JsonValueKind.Array)
        {
            if (expected.GetArrayLength() != actual.GetArrayLength())
            {
                return $"{path}: expected {expected.GetArrayLength()} elements, got {actual.GetArrayLength()}";
            }

            for (int i = 0; i < expected.GetArrayLength(); i++)
            {
                string? difference = FindDifference(expected[i], actual[i], $"{path}[{i}]");
                if (difference is not null)
                {
                    return difference;
                }
            }

            return null;
        }

        var expectedKeys = expected.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
        var actualKeys = actual.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
        if (!expectedKeys.SequenceEqual(actualKeys, StringComparer.Ordinal))
        {
            return $"{path}: expected keys [{string.Join(", ", expectedKeys)}], got [{string.Join(", ", actualKeys)}]";
        }

        foreach (string key in expectedKeys)
        {
            string? difference = FindDifference(expected.GetProperty(key), actual.GetProperty(key), $"{path}.{key}");
            if (difference is not null)
            {
                return difference;
            }
        }

        return null;
    }

    private static bool IsTaggedValue(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        int count = 0;
        foreach (var property in element.EnumerateObject())
        {
            count++;
            if ((property.Name != "type" && property.Name != "value") || property.Value.ValueKind != JsonValueKind.String)
            {
                return false;
            }
        }

        return count == 2;
    }

    private static string? CompareValues(JsonElement expected, JsonElement actual, string path)
    {
        string type = expected.GetProperty("type").GetString()!;
        string actualType = actual.GetProperty("type").GetString()!;
        if (type != actualType)
        {
            return $"{path}: expected type {type}, got {actualType}";
        }

        string e = expected.GetProperty("value").GetString()!;
        string a = actual.GetProperty("value").GetString()!;
        bool equal = type switch
        {
            "float" => FloatsEqual(e, a),
            "bool" => string.Equals(e, a, StringComparison.OrdinalIgnoreCase),
            "datetime" => DateTimeOffset.Parse(Normalise(e), CultureInfo.InvariantCulture)
                .EqualsExact(DateTimeOffset.Parse(Normalise(a), CultureInfo.InvariantCulture)),
            "datetime-local" or "date-local" or "time-local" => LocalValue(type, e) == LocalValue(type, a),
            _ => string.Equals(e, a, StringComparison.Ordinal),
        };
        return equal ? null : $"{path}: expected {type} '{e}', got '{a}'";
    }

    private static bool FloatsEqual(string expected, string actual)
    {
        if (expected.EndsWith("nan", StringComparison.Ordinal) || actual.EndsWith("nan", StringComparison.Ordinal))
        {
            return expected.EndsWith("nan", StringComparison.Ordinal) && actual.EndsWith("nan", StringComparison.Ordinal);
        }

        return ParseFloat(expected) == ParseFloat(actual);
    }

    private static double ParseFloat(string text) => text switch
    {
        "inf" or "+inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static string Normalise(string text)
    {
        var chars = text.ToCharArray();
        if (chars.Length > 10 && (chars[10] == ' ' || chars[10] == 't'))
        {
            chars[10] = 'T';
        }

        return new string(chars).Replace('z', 'Z');
    }

    private static long LocalValue(string type, string text)
    {
        string normalised = Normalise(text);
        return type switch
        {
            "date-local" => DateOnly.ParseExact(normalised, "yyyy-MM-dd", CultureInfo.InvariantCulture).DayNumber,
            "time-local" => TimeOnly.Parse(normalised, CultureInfo.InvariantCulture).Ticks,
            _ => DateTime.Parse(normalised, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind).Ticks,
        };
    }
}
