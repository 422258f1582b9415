using System.Globalization;
using System.Text;
using ResMgrLite.Nri;

namespace ResMgrLite.Plugin;

/// <summary>
/// The plugin's log: one line per entry to a file (appended), or to stderr for "-". A pre-launched
/// plugin's stdio is /dev/null (spec/nri-protocol.md §1.3), so a file is the only place its log can
/// go. The file is opened on the first write, not before: RegisterPlugin must leave first. If the
/// file cannot be opened or written, logging turns itself off instead of taking the plugin down.
/// </summary>
internal sealed class PluginLog : IProtocolLog, IDisposable
{
    /// <summary>Where a pre-launched plugin running as root logs unless its config says otherwise.</summary>
    public const string DefaultRootLogPath = "/var/log/resmgrlite.log";

    /// <summary>Means stderr (external mode under systemd: the journal).</summary>
    public const string StandardError = "-";

    /// <summary>Lines kept while the target is not known yet; more are counted, not kept.</summary>
    public const int MaxHeldLines = 256;

    private readonly Lock _lock = new();
    private string? _path;
    private TextWriter? _writer;
    private bool _failed;
    private List<string>? _held;
    private int _droppedWhileHeld;

    /// <param name="path">The file ("-" = stderr, null = off).</param>
    /// <param name="minimumLevel">Least severe level written.</param>
    /// <param name="holdUntilReleased">
    /// Keep lines in memory until <see cref="Release"/> or <see cref="Redirect"/>: a pre-launched plugin
    /// learns its log target only in Configure, and must not leave lines in the default file when the
    /// configuration names another one.
    /// </param>
    public PluginLog(string? path, ProtocolLogLevel minimumLevel, bool holdUntilReleased = false)
    {
        _path = string.IsNullOrEmpty(path) ? null : path;
        MinimumLevel = minimumLevel;
        _held = holdUntilReleased ? [] : null;
    }

    public ProtocolLogLevel MinimumLevel { get; set; }

    public string? Path
    {
        get
        {
            lock (_lock)
            {
                return _path;
            }
        }
    }

    /// <summary>The pre-launched default: <see cref="DefaultRootLogPath"/> as root, otherwise nothing.</summary>
    public static PluginLog ForPreLaunched() =>
        new(Environment.IsPrivilegedProcess ? DefaultRootLogPath : null, ProtocolLogLevel.Info, holdUntilReleased: true);

    /// <summary>Stops holding: the held lines go to the current target, later lines follow.</summary>
    public void Release()
    {
        lock (_lock)
        {
            FlushHeld();
        }
    }

    /// <summary>Parses debug | info | warning | error (case-insensitive).</summary>
    public static bool TryParseLevel(string? text, out ProtocolLogLevel level)
    {
        level = ProtocolLogLevel.Info;
        switch (text?.ToUpperInvariant())
        {
            case "DEBUG":
                level = ProtocolLogLevel.Debug;
                return true;
            case "INFO":
                return true;
            case "WARNING" or "WARN":
                level = ProtocolLogLevel.Warning;
                return true;
            case "ERROR":
                level = ProtocolLogLevel.Error;
                return true;
            default:
                return false;
        }
    }

    /// <summary>Switches to another file (e.g. the one the config names); null turns logging off.</summary>
    public void Redirect(string? path)
    {
        lock (_lock)
        {
            if (path == _path)
            {
                return;
            }

            CloseWriter();
            _path = string.IsNullOrEmpty(path) ? null : path;
            _failed = false;
            FlushHeld();
        }
    }

    public bool IsEnabled(ProtocolLogLevel level) => level >= MinimumLevel && (_held is not null || (_path is not null && !_failed));

    public void Write(ProtocolLogLevel level, string message)
    {
        if (!IsEnabled(level))
        {
            return;
        }

        var line = new StringBuilder(message.Length + 48);
        line.Append(DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture))
            .Append(' ')
            .Append(LevelName(level))
            .Append(' ')
            .Append(message);
        lock (_lock)
        {
            if (_held is not null)
            {
                if (_held.Count < MaxHeldLines)
                {
                    _held.Add(line.ToString());
                }
                else
                {
                    _droppedWhileHeld++;
                }
                return;
            }
            WriteLineLocked(line.ToString());
        }
    }

    private void FlushHeld()
    {
        List<string>? held = _held;
        _held = null;
        if (held is null)
        {
            return;
        }
        foreach (string line in held)
        {
            WriteLineLocked(line);
        }
        if (_droppedWhileHeld > 0)
        {
            WriteLineLocked($"{DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)} WARN {_droppedWhileHeld} early log lines were dropped");
        }
    }

    private void WriteLineLocked(string line)
    {
        if (_path is null || _failed)
        {
            return;
        }
        try
        {
            _writer ??= Open(_path);
            _writer.WriteLine(line);
            _writer.Flush();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            // No place to report it: the plugin keeps running without a log.
            _failed = true;
            CloseWriter();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            // Never configured (e.g. the runtime went away first): the held lines still reach the file.
            FlushHeld();
            CloseWriter();
        }
    }

    private static TextWriter Open(string path)
    {
        if (path == StandardError)
        {
            return StandardStreams.Error;
        }

        // Never blocks (a FIFO as the target is refused) and never opens a directory.
        FileStream stream = Host.Files.HostFile.OpenForWriting(path, Host.Files.WriteTarget.OperatorFile);
        return new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    private void CloseWriter()
    {
        if (_writer is not null && _writer != StandardStreams.Error)
        {
            try
            {
                _writer.Dispose();
            }
            catch (IOException)
            {
                // Closing a broken file: nothing to do.
            }
        }

        _writer = null;
    }

    private static string LevelName(ProtocolLogLevel level) => level switch
    {
        ProtocolLogLevel.Debug => "DEBUG",
        ProtocolLogLevel.Info => "INFO",
        ProtocolLogLevel.Warning => "WARN",
        _ => "ERROR",
    };
}
