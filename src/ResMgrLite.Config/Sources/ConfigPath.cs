using System.Text;

namespace ResMgrLite.Config.Sources;

/// <summary>Helpers for ':'-separated configuration paths.</summary>
internal static class ConfigPath
{
    public const char Separator = ':';

    public static string Combine(string parent, string child) => parent.Length == 0 ? child : parent + Separator + child;

    /// <summary><c>memoryManager:reservedMemory:0:numaNode</c> → <c>memoryManager.reservedMemory[0].numaNode</c>.</summary>
    public static string ToDisplay(string path)
    {
        var text = new StringBuilder(path.Length + 4);
        foreach (string segment in path.Split(Separator))
        {
            if (segment.Length > 0 && !segment.AsSpan().ContainsAnyExceptInRange('0', '9'))
            {
                text.Append('[').Append(segment).Append(']');
                continue;
            }

            if (text.Length > 0)
            {
                text.Append('.');
            }

            // Keys that are not bare TOML keys (e.g. "memory.available") are shown quoted.
            bool bare = segment.Length > 0 && IsBareKey(segment);
            text.Append(bare ? segment : "\"" + segment + "\"");
        }

        return text.ToString();
    }

    private static bool IsBareKey(string segment)
    {
        foreach (char c in segment)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_'))
            {
                return false;
            }
        }
        return true;
    }
}
