namespace ResMgrLite.Nri;

/// <summary>
/// The one logging seam of the protocol layer. The executable adapts it to its log file or
/// syslog; pre-launched plugins have stdio on /dev/null (docs/nri-rules.md §1.3), so nothing goes to the console.
/// </summary>
internal interface IProtocolLog
{
    bool IsEnabled(ProtocolLogLevel level);

    void Write(ProtocolLogLevel level, string message);
}
