using System.Globalization;
using System.Text;
using ResMgrLite.Config.Settings;
using ResMgrLite.Nri;

namespace ResMgrLite.Observability.Logging;

/// <summary>
/// Turns entries into lines: <c>text</c> is <c>TIME LEVEL message</c> (the message already names
/// pod and container in words); <c>json</c> is one object a line with the keys time, level, event,
/// pod, container, message, always in that order and always present (empty when not known), so
/// <c>jq</c> filters need no guards.
/// </summary>
internal static class LogFormatter
{
    public static string Format(in LogEntry entry, LogFormat format)
    {
        var line = new StringBuilder(entry.Message.Length + 96);
        string time = entry.Time.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        if (format == LogFormat.Text)
        {
            return line.Append(time).Append(' ').Append(LevelName(entry.Level)).Append(' ').Append(entry.Message).ToString();
        }
        line.Append("{\"time\":\"").Append(time)
            .Append("\",\"level\":\"").Append(JsonLevelName(entry.Level))
            .Append("\",\"event\":\"");
        AppendJsonEscaped(line, entry.Event);
        line.Append("\",\"pod\":\"");
        AppendJsonEscaped(line, entry.Pod);
        line.Append("\",\"container\":\"");
        AppendJsonEscaped(line, entry.Container);
        line.Append("\",\"message\":\"");
        AppendJsonEscaped(line, entry.Message);
        return line.Append("\"}").ToString();
    }

    public static string LevelName(ProtocolLogLevel level) => level switch
    {
        ProtocolLogLevel.Debug => "DEBUG",
        ProtocolLogLevel.Info => "INFO",
        ProtocolLogLevel.Warning => "WARN",
        _ => "ERROR",
    };

    private static string JsonLevelName(ProtocolLogLevel level) => level switch
    {
        ProtocolLogLevel.Debug => "debug",
        ProtocolLogLevel.Info => "info",
        ProtocolLogLevel.Warning => "warning",
        _ => "error",
    };

    private static void AppendJsonEscaped(StringBuilder line, string text)
    {
        foreach (char c in text)
        {
            switch (c)
            {
                case '"':
                    line.Append("\\\"");
                    break;
                case '\\':
                    line.Append("\\\\");
                    break;
                case '\n':
                    line.Append("\\n");
                    break;
                case '\r':
                    line.Append("\\r");
                    break;
                case '\t':
                    line.Append("\\t");
                    break;
                case < ' ':
                    line.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    line.Append(c);
                    break;
            }
        }
    }
}
