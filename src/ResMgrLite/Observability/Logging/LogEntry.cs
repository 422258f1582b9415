using ResMgrLite.Nri;

namespace ResMgrLite.Observability.Logging;

/// <summary>
/// One log entry. <see cref="Event"/>, <see cref="Pod"/> and <see cref="Container"/> are the
/// structured fields an operator filters on (JSON keys, journal fields); empty when the entry is
/// not about one event, pod or container.
/// </summary>
internal readonly record struct LogEntry(DateTime Time, ProtocolLogLevel Level, string Event, string Pod, string Container, string Message);
