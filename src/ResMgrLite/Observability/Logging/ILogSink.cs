namespace ResMgrLite.Observability.Logging;

/// <summary>Where formatted entries go. Called under the log's lock; never throws for I/O problems.</summary>
internal interface ILogSink : IDisposable
{
    /// <summary>Writes one entry; false when the sink cannot write (the log then falls back to stderr).</summary>
    bool TryWrite(in LogEntry entry, string formattedLine, out string? error);
}
