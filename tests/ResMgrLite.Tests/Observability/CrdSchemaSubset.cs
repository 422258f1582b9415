using System.Text.Json;
using System.Text.RegularExpressions;

namespace ResMgrLite.Tests.Observability;

/// <summary>
/// Validates a JSON document against the subset of OpenAPI v3 that CRD schemas use here: type,
/// required, properties (structural: unknown fields are pruned by the API server, so they count as
/// errors), items, anyOf of int/string with the quantity pattern (x-kubernetes-int-or-string).
/// </summary>
internal static class CrdSchemaSubset
{
    public static List<string> Validate(JsonElement schema, JsonElement value, string path = "$")
    {
        var errors = new List<string>();
        Check(schema, value, path, errors);
        return errors;
    }

    private static void Check(JsonElement schema, JsonElement value, string path, List<string> errors)
    {
        if (schema.TryGetProperty("anyOf", out JsonElement anyOf))
        {
            if (!anyOf.EnumerateArray().Any(option => TypeMatches(option.GetProperty("type").GetString()!, value)))
            {
                errors.Add($"{path}: {value.ValueKind} matches none of anyOf");
            }
        }
        else if (schema.TryGetProperty("type", out JsonElement type) && !TypeMatches(type.GetString()!, value))
        {
            errors.Add($"{path}: expected {type.GetString()}, found {value.ValueKind}");
            return;
        }
        if (schema.TryGetProperty("pattern", out JsonElement pattern))
        {
            string text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
            if (!Regex.IsMatch(text, pattern.GetString()!))
            {
                errors.Add($"{path}: '{text}' does not match {pattern.GetString()}");
            }
        }
        if (value.ValueKind == JsonValueKind.Object)
        {
            if (schema.TryGetProperty("required", out JsonElement required))
            {
                foreach (JsonElement name in required.EnumerateArray())
                {
                    if (!value.TryGetProperty(name.GetString()!, out _))
                    {
                        errors.Add($"{path}: required field {name.GetString()} is missing");
                    }
                }
            }
            if (schema.TryGetProperty("properties", out JsonElement properties))
            {
                foreach (JsonProperty field in value.EnumerateObject())
                {
                    if (properties.TryGetProperty(field.Name, out JsonElement fieldSchema))
                    {
                        Check(fieldSchema, field.Value, $"{path}.{field.Name}", errors);
                    }
                    else
                    {
                        errors.Add($"{path}: unknown field {field.Name} (the API server would prune it)");
                    }
                }
            }
        }
        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out JsonElement items))
        {
            int i = 0;
            foreach (JsonElement item in value.EnumerateArray())
            {
                Check(items, item, $"{path}[{i++}]", errors);
            }
        }
    }

    private static bool TypeMatches(string type, JsonElement value) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        _ => false,
    };
}
