namespace ResMgrLite.Nri;

/// <summary>A log that drops everything, for callers that have nowhere to write.</summary>
internal sealed class NullProtocolLog : IProtocolLog
{
    public static NullProtocolLog Instance { get; } = new();

    public bool IsEnabled(ProtocolLogLevel level) => false;

    public void Write(ProtocolLogLevel level, string message)
    {
    }
}
