using System.Buffers;
using ResMgrLite.Engine.State;
using ResMgrLite.Host.Files;

namespace ResMgrLite.Host.State;

/// <summary>
/// The plugin's state file in the state directory (config key <c>state.directory</c>), written
/// atomically: temp file in the same directory, fsync, rename over the old file, fsync of the
/// directory. A crash at any point leaves either the old or the new file, never a mix
/// (docs/state.md). Not thread-safe: the plugin saves under its handler lock.
/// </summary>
internal sealed class CheckpointStore
{
    public const string FileName = "resmgrlite_state";

    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly ArrayBufferWriter<byte> _scratch = new(4096);
    private bool _directoryReady;

    public CheckpointStore(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = directory;
        FilePath = Path.Combine(directory, FileName);
    }

    public string Directory { get; }

    public string FilePath { get; }

    private string TempPath => FilePath + ".tmp";

    /// <summary>Reads and checks the file (version, checksum, shape); never throws for a bad file.</summary>
    public CheckpointLoadResult Load()
    {
        byte[] bytes;
        try
        {
            // Bounded, non-blocking, never through a link: a FIFO or /dev/zero here must not stall Configure.
            bytes = HostFile.ReadBytes(FilePath, HostFileKind.State);
        }
        catch (FileNotFoundException)
        {
            return new CheckpointLoadResult(CheckpointStatus.Missing, null, null);
        }
        catch (IOException e)
        {
            return new CheckpointLoadResult(CheckpointStatus.Invalid, null, $"{FilePath}: cannot be read: {ErrorText.Of(e, FilePath)}");
        }
        return CheckpointFormat.Read(FilePath, bytes);
    }

    /// <summary>Writes the snapshot durably; throws <see cref="IOException"/> (or UnauthorizedAccessException) when the disk refuses.</summary>
    public void Save(EngineSnapshot snapshot)
    {
        CheckpointFormat.Write(snapshot, _buffer, _scratch);
        if (!_directoryReady)
        {
            System.IO.Directory.CreateDirectory(Directory);
            _directoryReady = true;
        }
        // The temporary file is the plugin's own: whatever sits at its name (a leftover of a crash, or a
        // FIFO or link planted there) is removed, and the open never blocks nor follows a link, so
        // one planted in between is refused instead of written through.
        File.Delete(TempPath);
        using (FileStream file = HostFile.OpenForWriting(TempPath, WriteTarget.OwnFile))
        {
            file.Write(_buffer.WrittenSpan);
            file.Flush(flushToDisk: true);
        }
        File.Move(TempPath, FilePath, overwrite: true);
        DirectorySync.Flush(Directory);
    }

    /// <summary>
    /// Moves an untrusted file aside (kept for the operator, never reused) and returns its new
    /// path: <c>resmgrlite_state.rejected</c>, replacing an older rejected file.
    /// </summary>
    public string SetAside()
    {
        string aside = FilePath + ".rejected";
        File.Move(FilePath, aside, overwrite: true);
        DirectorySync.Flush(Directory);
        return aside;
    }
}
