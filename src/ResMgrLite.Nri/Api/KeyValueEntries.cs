using System.Diagnostics.CodeAnalysis;
using Google.Protobuf.Collections;

namespace ResMgrLite.Nri.Api;

/// <summary>
/// Map semantics over the <c>repeated KeyValue</c> fields that stand for NRI's string maps (labels,
/// annotations, <c>unified</c>, <c>sysctl</c>; see the note at the top of nri.proto). The wire may
/// repeat a key; as for a protobuf map, the last entry wins. Lookups are linear: these lists are
/// short, and a scan allocates nothing where a dictionary would be built for every message.
/// </summary>
internal static class KeyValueEntries
{
    /// <summary>The value of the last entry with <paramref name="key"/> (ordinal comparison).</summary>
    public static bool TryGetValue(this RepeatedField<KeyValue> entries, string key, [NotNullWhen(true)] out string? value)
    {
        ArgumentNullException.ThrowIfNull(entries);
        for (int i = entries.Count - 1; i >= 0; i--)
        {
            KeyValue entry = entries[i];
            if (string.Equals(entry.Key, key, StringComparison.Ordinal))
            {
                value = entry.Value;
                return true;
            }
        }
        value = null;
        return false;
    }

    /// <summary>
    /// Gives <paramref name="key"/> the value <paramref name="value"/>: the existing entry is replaced in
    /// place, otherwise one is appended. A list built only through this never holds a key twice, which is
    /// what a runtime expects of a map it receives (the NRI libraries merge these maps key by key).
    /// </summary>
    public static void Set(this RepeatedField<KeyValue> entries, string key, string value)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var replacement = new KeyValue { Key = key, Value = value };
        for (int i = entries.Count - 1; i >= 0; i--)
        {
            if (string.Equals(entries[i].Key, key, StringComparison.Ordinal))
            {
                entries[i] = replacement;
                return;
            }
        }
        entries.Add(replacement);
    }
}
