namespace ResMgrLite.Config.Settings;

internal enum LogLevel
{
    Trace,
    Debug,
    Info,
    Warning,
    Error,
}
