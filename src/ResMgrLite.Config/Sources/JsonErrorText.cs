using System.Text.Json;

namespace ResMgrLite.Config.Sources;

/// <summary>
/// The reason of a <see cref="JsonException"/> without the reader's own coordinates
/// ("LineNumber: 0 | BytePositionInLine: 7", 0-based), which callers replace with file:line:column.
/// </summary>
internal static class JsonErrorText
{
    public static string Reason(JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        string message = exception.Message;
        foreach (string marker in (ReadOnlySpan<string>)[" Path: ", " LineNumber: ", " | LineNumber: "])
        {
            int at = message.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0)
            {
                message = message[..at];
            }
        }
        message = message.TrimEnd(' ', '|', '.');
        return message.Length == 0 ? "not valid JSON" : message;
    }
}
