using System.Text.Json;
using System.Text.RegularExpressions;

namespace ResMgrLite.Install.Tests;

/// <summary>
/// A small schema of the Kubernetes API objects the DaemonSet manifest uses (ConfigMap, DaemonSet
/// and the parts of PodSpec and Container a node agent needs), with the field names, types,
/// enumerations and required fields of the Kubernetes API reference (core/v1, apps/v1). Enough to
/// catch a misspelt or misplaced field, which the API server would reject or silently drop.
/// </summary>
internal static partial class KubernetesFields
{
    internal enum Type
    {
        Object,
        Map,
        List,
        String,
        Integer,
        Boolean,
        Quantity,
        IntOrString,
        Enum,
    }

    internal sealed class Node(Type type)
    {
        public Type Type { get; } = type;

        public Dictionary<string, Node> Fields { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Required { get; } = new(StringComparer.Ordinal);

        public Node? Item { get; init; }

        public string[] Values { get; init; } = [];
    }

    private static Node Str() => new(Type.String);

    private static Node Int() => new(Type.Integer);

    private static Node Bool() => new(Type.Boolean);

    private static Node Quantity() => new(Type.Quantity);

    private static Node IntOrStr() => new(Type.IntOrString);

    private static Node OneOf(params string[] values) => new(Type.Enum) { Values = values };

    private static Node MapOf(Node value) => new(Type.Map) { Item = value };

    private static Node ListOf(Node item) => new(Type.List) { Item = item };

    /// <summary>An object; a field name ending in '!' is required.</summary>
    private static Node Obj(params (string Name, Node Node)[] fields)
    {
        var node = new Node(Type.Object);
        foreach ((string name, Node field) in fields)
        {
            string clean = name.TrimEnd('!');
            node.Fields[clean] = field;
            if (name.EndsWith('!'))
            {
                node.Required.Add(clean);
            }
        }
        return node;
    }

    private static Node ObjectMeta() => Obj(("name!", Str()), ("namespace", Str()), ("labels", MapOf(Str())), ("annotations", MapOf(Str())));

    private static Node SecurityContext() => Obj(
        ("privileged", Bool()), ("readOnlyRootFilesystem", Bool()), ("runAsUser", Int()), ("runAsGroup", Int()),
        ("runAsNonRoot", Bool()), ("allowPrivilegeEscalation", Bool()),
        ("capabilities", Obj(("add", ListOf(Str())), ("drop", ListOf(Str())))));

    private static Node Container() => Obj(
        ("name!", Str()), ("image!", Str()), ("imagePullPolicy", OneOf("Always", "Never", "IfNotPresent")),
        ("command", ListOf(Str())), ("args", ListOf(Str())),
        ("env", ListOf(Obj(("name!", Str()), ("value", Str())))),
        ("resources", Obj(("requests", MapOf(Quantity())), ("limits", MapOf(Quantity())))),
        ("securityContext", SecurityContext()),
        ("volumeMounts", ListOf(Obj(("name!", Str()), ("mountPath!", Str()), ("readOnly", Bool()), ("subPath", Str()),
            ("mountPropagation", OneOf("None", "HostToContainer", "Bidirectional"))))),
        ("ports", ListOf(Obj(("containerPort!", Int()), ("name", Str()), ("hostPort", Int()), ("protocol", OneOf("TCP", "UDP", "SCTP"))))));

    private static Node Volume() => Obj(
        ("name!", Str()),
        ("hostPath", Obj(("path!", Str()), ("type", OneOf("", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice")))),
        ("configMap", Obj(("name", Str()), ("defaultMode", Int()), ("optional", Bool()),
            ("items", ListOf(Obj(("key!", Str()), ("path!", Str()), ("mode", Int())))))),
        ("emptyDir", Obj(("medium", Str()), ("sizeLimit", Quantity()))));

    private static Node PodSpec() => Obj(
        ("containers!", ListOf(Container())), ("initContainers", ListOf(Container())), ("volumes", ListOf(Volume())),
        ("nodeSelector", MapOf(Str())), ("priorityClassName", Str()), ("terminationGracePeriodSeconds", Int()),
        ("hostNetwork", Bool()), ("hostPID", Bool()), ("hostIPC", Bool()), ("serviceAccountName", Str()),
        ("automountServiceAccountToken", Bool()), ("restartPolicy", OneOf("Always", "OnFailure", "Never")),
        ("tolerations", ListOf(Obj(("key", Str()), ("operator", OneOf("Exists", "Equal")), ("value", Str()),
            ("effect", OneOf("NoSchedule", "PreferNoSchedule", "NoExecute")), ("tolerationSeconds", Int())))),
        ("securityContext", Obj(("runAsUser", Int()), ("runAsGroup", Int()), ("runAsNonRoot", Bool()), ("fsGroup", Int()))));

    /// <summary>The schema of a whole object of the given kind.</summary>
    public static Node Root(string kind) => kind switch
    {
        "ConfigMap" => Obj(("apiVersion!", OneOf("v1")), ("kind!", OneOf("ConfigMap")), ("metadata!", ObjectMeta()),
            ("data", MapOf(Str())), ("binaryData", MapOf(Str())), ("immutable", Bool())),
        "DaemonSet" => Obj(("apiVersion!", OneOf("apps/v1")), ("kind!", OneOf("DaemonSet")), ("metadata!", ObjectMeta()),
            ("spec!", Obj(
                ("selector!", Obj(("matchLabels", MapOf(Str())),
                    ("matchExpressions", ListOf(Obj(("key!", Str()), ("operator!", OneOf("In", "NotIn", "Exists", "DoesNotExist")), ("values", ListOf(Str()))))))),
                ("template!", Obj(("metadata", Obj(("name", Str()), ("labels", MapOf(Str())), ("annotations", MapOf(Str())))), ("spec!", PodSpec()))),
                ("updateStrategy", Obj(("type", OneOf("RollingUpdate", "OnDelete")),
                    ("rollingUpdate", Obj(("maxUnavailable", IntOrStr()), ("maxSurge", IntOrStr()))))),
                ("minReadySeconds", Int()), ("revisionHistoryLimit", Int())))),
        _ => throw new ArgumentException($"no schema for {kind}", nameof(kind)),
    };

    /// <summary>Adds one line per violation to <paramref name="problems"/>.</summary>
    public static void Check(JsonElement value, Node node, string path, List<string> problems)
    {
        switch (node.Type)
        {
            case Type.Object:
                if (value.ValueKind != JsonValueKind.Object)
                {
                    problems.Add($"{path}: expected an object");
                    return;
                }
                foreach (JsonProperty property in value.EnumerateObject())
                {
                    if (node.Fields.TryGetValue(property.Name, out Node? field))
                    {
                        Check(property.Value, field, $"{path}.{property.Name}", problems);
                    }
                    else
                    {
                        problems.Add($"{path}.{property.Name}: not a field of this object");
                    }
                }
                foreach (string required in node.Required)
                {
                    if (!value.TryGetProperty(required, out _))
                    {
                        problems.Add($"{path}.{required}: required");
                    }
                }
                break;
            case Type.Map:
                if (value.ValueKind != JsonValueKind.Object)
                {
                    problems.Add($"{path}: expected a map");
                    return;
                }
                foreach (JsonProperty property in value.EnumerateObject())
                {
                    Check(property.Value, node.Item!, $"{path}.{property.Name}", problems);
                }
                break;
            case Type.List:
                if (value.ValueKind != JsonValueKind.Array)
                {
                    problems.Add($"{path}: expected a list");
                    return;
                }
                int index = 0;
                foreach (JsonElement item in value.EnumerateArray())
                {
                    Check(item, node.Item!, $"{path}[{index++}]", problems);
                }
                break;
            case Type.String when value.ValueKind != JsonValueKind.String:
                problems.Add($"{path}: expected a string");
                break;
            case Type.Integer when value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out _):
                problems.Add($"{path}: expected an integer");
                break;
            case Type.Boolean when value.ValueKind is not (JsonValueKind.True or JsonValueKind.False):
                problems.Add($"{path}: expected true or false");
                break;
            case Type.IntOrString when value.ValueKind is not (JsonValueKind.Number or JsonValueKind.String):
                problems.Add($"{path}: expected an integer or a string");
                break;
            case Type.Enum when value.ValueKind != JsonValueKind.String || Array.IndexOf(node.Values, value.GetString()) < 0:
                problems.Add($"{path}: '{value}' is not one of {string.Join(", ", node.Values)}");
                break;
            case Type.Quantity when !QuantityPattern().IsMatch(value.ValueKind == JsonValueKind.Number ? value.GetRawText() : value.GetString() ?? ""):
                problems.Add($"{path}: '{value}' is not a quantity");
                break;
        }
    }

    /// <summary>A memory quantity in bytes, read the way ResMgrLite reads quantities.</summary>
    public static long Bytes(string quantity)
    {
        Assert.True(ResMgrLite.Engine.Memory.MemoryQuantity.TryParse(quantity, out long bytes, out string? error), error);
        return bytes;
    }

    // resource.Quantity: a decimal number with an optional binary (Ki…Ei), decimal (n u m k M G T P E) or exponent suffix.
    [GeneratedRegex(@"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$")]
    private static partial Regex QuantityPattern();
}
