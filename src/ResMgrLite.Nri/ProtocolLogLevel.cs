namespace ResMgrLite.Nri;

public enum ProtocolLogLevel
{
    Debug,
    Info,
    Warning,
    Error,
}
