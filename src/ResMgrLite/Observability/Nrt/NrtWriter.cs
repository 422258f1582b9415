namespace ResMgrLite.Observability.Nrt;

/// <summary>
/// <c>nrt.file</c>: keeps a file up to date with the node's NodeResourceTopology document. The
/// caller builds the document under its own lock (<see cref="NrtDocument.Build"/> only reads the
/// engine) and hands the bytes over; the file is written off the event path, temp file then
/// rename, so readers (an agent that applies it to the API server) never see half a document. When
/// changes come faster than the disk, only the newest document is written.
/// </summary>
internal sealed class NrtWriter
{
    private readonly ReplacedFile _file;
    private readonly Lock _lock = new();
    private byte[]? _pending;
    private bool _writing;

    public NrtWriter(string path, Action<string> log)
    {
        _file = new ReplacedFile(path, "NodeResourceTopology file", log);
    }

    public string Path => _file.Path;

    /// <summary>Queues <paramref name="document"/> for writing and returns at once.</summary>
    public void Write(byte[] document)
    {
        lock (_lock)
        {
            _pending = document;
            if (_writing)
            {
                return;
            }
            _writing = true;
        }
        ThreadPool.UnsafeQueueUserWorkItem(static writer => writer.Drain(), this, preferLocal: false);
    }

    /// <summary>Writes synchronously (the command, tests, and the last document at stop).</summary>
    public void WriteNow(byte[] document)
    {
        ArgumentNullException.ThrowIfNull(document);
        _file.Replace(document);
    }

    /// <summary>Waits until every queued document is on disk (tests, and stop).</summary>
    public void Flush()
    {
        SpinWait spin = default;
        while (true)
        {
            lock (_lock)
            {
                if (!_writing)
                {
                    return;
                }
            }
            spin.SpinOnce();
        }
    }

    private void Drain()
    {
        while (true)
        {
            byte[]? next;
            lock (_lock)
            {
                next = _pending;
                _pending = null;
                if (next is null)
                {
                    _writing = false;
                    return;
                }
            }
            WriteNow(next);
        }
    }
}
