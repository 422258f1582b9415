using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text.Json;
using ResMgrLite.Engine.Memory;

namespace ResMgrLite.Hooks;

/// <summary>
/// What a hook receives for one change: a JSON document on stdin and, for simple shell hooks, the
/// same facts as environment variables. The environment is built from scratch (a fixed PATH, the
/// RESMGRLITE_* facts, and the plugin's own RESMGRLITE_HOOK_* variables), never inherited whole.
/// </summary>
/// <remarks>
/// The document (version 1; see docs/hooks.md):
/// <code>
/// {"version":1,"event":"container-admitted","sequence":7,"coalesced":0,
///  "pod":{"namespace":"db","name":"pg-0","uid":"..."},
///  "container":{"name":"postgres","id":"...","cpus":"2-3","numaNodes":"0"},
///  "sharedCpus":"0-1,4-7","exclusiveCpus":"2-3"}
/// </code>
/// "pod" and "container" are null for events without a container (shared-pool-changed, replay).
/// </remarks>
internal static class HookInput
{
    public const int Version = 1;

    /// <summary>Variables of the plugin's environment with this prefix are handed to hooks (e.g. RESMGRLITE_HOOK_ROOT).</summary>
    public const string PassedThroughPrefix = "RESMGRLITE_HOOK_";

    private const string SearchPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    // Names and ids come from the runtime: bounded and free of control characters before a hook sees them.
    private const int MaxTextLength = 1024;

    /// <summary>The UTF-8 JSON document for stdin.</summary>
    /// <param name="sequence">Number of the change (1, 2, ...); gaps are changes this hook did not see.</param>
    /// <param name="coalesced">Changes replaced by this newer one since the hook last ran.</param>
    public static byte[] Document(AllocationChange change, long sequence, long coalesced)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("version", Version);
            json.WriteString("event", AllocationEventNames.Of(change.Event));
            json.WriteNumber("sequence", sequence);
            json.WriteNumber("coalesced", coalesced);
            if (HasContainer(change))
            {
                json.WriteStartObject("pod");
                json.WriteString("namespace", Clean(change.PodNamespace));
                json.WriteString("name", Clean(change.PodName));
                json.WriteString("uid", Clean(change.PodUid));
                json.WriteEndObject();
                json.WriteStartObject("container");
                json.WriteString("name", Clean(change.ContainerName));
                json.WriteString("id", Clean(change.ContainerId));
                json.WriteString("cpus", change.ContainerCpus.ToString());
                json.WriteString("numaNodes", NumaNodeList.Format(change.ContainerNumaNodes));
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("pod");
                json.WriteNull("container");
            }
            json.WriteString("sharedCpus", change.SharedCpus.ToString());
            json.WriteString("exclusiveCpus", change.ExclusiveCpus.ToString());
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The hook's whole environment as NAME=value entries.</summary>
    /// <param name="plugin">The plugin's own environment (RESMGRLITE_HOOK_* entries are passed on).</param>
    public static List<string> Environment(AllocationChange change, long sequence, long coalesced, IDictionary plugin)
    {
        bool container = HasContainer(change);
        var entries = new List<string>(16)
        {
            SearchPath,
            "RESMGRLITE_EVENT=" + AllocationEventNames.Of(change.Event),
            "RESMGRLITE_SEQUENCE=" + sequence.ToString(CultureInfo.InvariantCulture),
            "RESMGRLITE_COALESCED=" + coalesced.ToString(CultureInfo.InvariantCulture),
            "RESMGRLITE_POD=" + (container ? Clean(change.PodNamespace) + "/" + Clean(change.PodName) : ""),
            "RESMGRLITE_POD_UID=" + Clean(change.PodUid),
            "RESMGRLITE_CONTAINER=" + Clean(change.ContainerName),
            "RESMGRLITE_CONTAINER_ID=" + Clean(change.ContainerId),
            "RESMGRLITE_CONTAINER_CPUS=" + change.ContainerCpus.ToString(),
            "RESMGRLITE_CONTAINER_NUMA_NODES=" + NumaNodeList.Format(change.ContainerNumaNodes),
            "RESMGRLITE_SHARED_CPUS=" + change.SharedCpus.ToString(),
            "RESMGRLITE_EXCLUSIVE_CPUS=" + change.ExclusiveCpus.ToString(),
        };
        foreach (DictionaryEntry variable in plugin)
        {
            if (variable.Key is string name && name.StartsWith(PassedThroughPrefix, StringComparison.Ordinal)
                && variable.Value is string value && !name.Contains('=', StringComparison.Ordinal))
            {
                entries.Add(name + "=" + Clean(value));
            }
        }
        return entries;
    }

    private static bool HasContainer(AllocationChange change) => change.ContainerId.Length > 0 || change.PodUid.Length > 0;

    /// <summary>At most <see cref="MaxTextLength"/> characters, control characters replaced by '?'.</summary>
    internal static string Clean(string text)
    {
        ReadOnlySpan<char> span = text.AsSpan(0, Math.Min(text.Length, MaxTextLength));
        if (span.Length == text.Length && !span.ContainsAnyInRange('\0', '\x1f') && !span.Contains('\x7f'))
        {
            return text;
        }
        return string.Create(span.Length, text, static (destination, source) =>
        {
            for (int i = 0; i < destination.Length; i++)
            {
                char c = source[i];
                destination[i] = c < ' ' || c == '\x7f' ? '?' : c;
            }
        });
    }
}
