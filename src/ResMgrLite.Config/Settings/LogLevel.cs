namespace ResMgrLite.Config.Settings;

public enum LogLevel
{
    Trace,
    Debug,
    Info,
    Warning,
    Error,
}
