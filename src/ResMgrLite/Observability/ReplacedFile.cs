using ResMgrLite.Host.Files;

namespace ResMgrLite.Observability;

/// <summary>
/// A file the plugin owns and replaces whole (the metrics textfile, the NodeResourceTopology file):
/// written to <c>FILE.tmp</c>, never through a link or into a FIFO, then renamed over <c>FILE</c>, so
/// a reader never sees half a file. A failure is logged once, and once more when writing works again.
/// Not thread-safe: each owner writes under its own lock or from one thread.
/// </summary>
internal sealed class ReplacedFile(string path, string what, Action<string> log)
{
    private bool _failing;

    public string Path { get; } = path;

    /// <param name="retryNote">Appended to the failure line, e.g. when the next attempt comes.</param>
    public void Replace(ReadOnlySpan<byte> content, string retryNote = "")
    {
        string temp = Path + ".tmp";
        try
        {
            using (FileStream stream = HostFile.OpenForWriting(temp, WriteTarget.OwnFile))
            {
                stream.Write(content);
            }
            File.Move(temp, Path, overwrite: true);
            if (_failing)
            {
                _failing = false;
                log($"{what} {Path}: written again");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (!_failing)
            {
                _failing = true;
                log($"{what} {Path}: cannot be written: {ErrorText.Of(e, Path)}{retryNote}");
            }
        }
    }
}
