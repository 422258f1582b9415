namespace ResMgrLite.Nri;

public enum ProtocolLogLevel
{
    Debug,
    Info,
    Warning,
    Error,
}

/// <summary>
/// The one logging seam of the protocol layer. The executable adapts it to its log file or
/// syslog; pre-launched plugins have stdio on /dev/null (spec §1.3), so nothing goes to the console.
/// </summary>
public interface IProtocolLog
{
    bool IsEnabled(ProtocolLogLevel level);

    void Write(ProtocolLogLevel level, string message);
}

/// <summary>A log that drops everything, for callers that have nowhere to write.</summary>
public sealed class NullProtocolLog : IProtocolLog
{
    public static NullProtocolLog Instance { get; } = new();

    public bool IsEnabled(ProtocolLogLevel level) => false;

    public void Write(ProtocolLogLevel level, string message)
    {
    }
}
