namespace ResMgrLite.Observability.Logging;

/// <summary>stderr or stdout. A broken stream (closed by the reader) silently drops lines: there is nowhere left to say so.</summary>
internal sealed class StreamLogSink(TextWriter writer) : ILogSink
{
    public bool TryWrite(in LogEntry entry, string formattedLine, out string? error)
    {
        error = null;
        try
        {
            writer.WriteLine(formattedLine);
            writer.Flush();
        }
        catch (IOException)
        {
            // stderr of a pre-launched plugin may be closed; the plugin goes on.
        }
        return true;
    }

    public void Dispose()
    {
        // Console streams belong to the process.
    }
}
