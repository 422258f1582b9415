namespace ResMgrLite.Nri;

internal enum ProtocolLogLevel
{
    Debug,
    Info,
    Warning,
    Error,
}
