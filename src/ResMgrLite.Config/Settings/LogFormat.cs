namespace ResMgrLite.Config.Settings;

/// <summary>How log entries are written: one text line, or one JSON object a line.</summary>
internal enum LogFormat
{
    Text,
    Json,
}
