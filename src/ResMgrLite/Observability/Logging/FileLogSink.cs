using System.Text;

namespace ResMgrLite.Observability.Logging;

/// <summary>
/// Appends to a file, opened on the first write. When the file would grow past the size cap it is
/// renamed to <c>FILE.1</c> (replacing the older one) and a new file is started, so the log takes
/// at most twice the cap on disk: edge nodes fill their disks otherwise.
/// </summary>
internal sealed class FileLogSink : ILogSink
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private readonly long _maxBytes;
    private FileStream? _stream;
    private long _size;

    /// <param name="maxBytes">Rotation size; 0 never rotates.</param>
    public FileLogSink(string path, long maxBytes)
    {
        Path = path;
        _maxBytes = maxBytes;
    }

    public string Path { get; }

    public string RotatedPath => Path + ".1";

    public bool TryWrite(in LogEntry entry, string formattedLine, out string? error)
    {
        error = null;
        byte[] bytes = Utf8.GetBytes(formattedLine + "\n");
        try
        {
            if (_stream is null)
            {
                Open();
            }
            if (_maxBytes > 0 && _size > 0 && _size + bytes.Length > _maxBytes)
            {
                Rotate();
            }
            _stream!.Write(bytes);
            _stream.Flush();
            _size += bytes.Length;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            error = $"cannot write the log file {Path}: {Host.Files.ErrorText.Of(e, Path)}";
            Close();
            return false;
        }
    }

    private void Open()
    {
        // Never blocks (a FIFO as the target is refused) and never opens a directory.
        _stream = Host.Files.HostFile.OpenForWriting(Path, Host.Files.WriteTarget.OperatorFile);
        _size = _stream.Length;
    }

    private void Rotate()
    {
        Close();
        File.Move(Path, RotatedPath, overwrite: true);
        Open();
    }

    private void Close()
    {
        try
        {
            _stream?.Dispose();
        }
        catch (IOException)
        {
            // Closing a broken file: nothing to do.
        }
        _stream = null;
    }

    public void Dispose() => Close();
}
