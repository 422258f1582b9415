using ResMgrLite.Nri;

namespace ResMgrLite.Observability.Logging;

/// <summary>
/// One log entry. <see cref="Event"/>, <see cref="Pod"/> and <see cref="Container"/> are the
/// structured fields an operator filters on (JSON keys, journal fields); empty when the entry is
/// not about one event, pod or container.
/// </summary>
internal readonly struct LogEntry(DateTime time, ProtocolLogLevel level, string eventName, string pod, string container, string message)
{
    public DateTime Time { get; } = time;

    public ProtocolLogLevel Level { get; } = level;

    public string Event { get; } = eventName;

    public string Pod { get; } = pod;

    public string Container { get; } = container;

    public string Message { get; } = message;
}
