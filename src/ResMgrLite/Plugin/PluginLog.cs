using ResMgrLite.Config.Settings;
using ResMgrLite.Nri;
using ResMgrLite.Observability.Logging;

namespace ResMgrLite.Plugin;

/// <summary>
/// The plugin's log. Targets (<c>log.target</c>): a file (<c>/var/log/resmgrlite.log</c> unless
/// <c>log.file</c> says otherwise; rotated once at <c>log.maxSize</c>), stderr, stdout, or the systemd
/// journal. Formats (<c>log.format</c>): text lines or one JSON object a line. A pre-launched
/// plugin learns its target only in Configure, so its early lines are held until then and never
/// land in the default file when the configuration names another target. A target that cannot be
/// written (no permission, no journal) is reported once on stderr, which then takes over; the log
/// never takes the plugin down.
/// </summary>
internal sealed class PluginLog : IProtocolLog, IDisposable
{
    /// <summary>Where the <c>file</c> target writes unless <c>log.file</c> names another file.</summary>
    public const string DefaultFilePath = "/var/log/resmgrlite.log";

    /// <summary>Means stderr (<c>resmgrlite run --log-file -</c>).</summary>
    public const string StandardError = "-";

    /// <summary>Lines kept while the target is not known yet; more are counted, not kept.</summary>
    public const int MaxHeldLines = 256;

    private readonly Lock _lock = new();
    private readonly bool _followConfiguration;
    private readonly TextWriter _standardError;
    private string _journalSocket = JournalLogSink.DefaultSocketPath;
    private LogDestination _destination;
    private ILogSink? _sink;
    private LogFormat _format;
    private long _maxBytes;
    private bool _wroteToDestination;
    private List<LogEntry>? _held;
    private int _droppedWhileHeld;

    /// <summary>
    /// A log whose target is fixed (a command-line <c>--log-file</c>, or a test's file): the
    /// configuration still sets level, format and rotation, but not where lines go.
    /// </summary>
    /// <param name="path">A file, "-" for stderr, null for no log.</param>
    public PluginLog(string? path, ProtocolLogLevel minimumLevel, bool holdUntilReleased = false)
        : this(path, minimumLevel, holdUntilReleased, followConfiguration: false, standardError: null)
    {
    }

    internal PluginLog(string? path, ProtocolLogLevel minimumLevel, bool holdUntilReleased, bool followConfiguration, TextWriter? standardError)
    {
        _destination = LogDestination.FromPath(path);
        MinimumLevel = minimumLevel;
        _held = holdUntilReleased ? [] : null;
        _followConfiguration = followConfiguration;
        _standardError = standardError ?? StandardStreams.Error;
        _maxBytes = 10L << 20;
    }

    public ProtocolLogLevel MinimumLevel { get; set; }

    /// <summary>The file being written, or null for stderr, stdout, the journal and no log.</summary>
    public string? Path
    {
        get
        {
            lock (_lock)
            {
                return _destination.Kind == LogDestinationKind.File ? _destination.FilePath : null;
            }
        }
    }

    /// <summary>True when lines go to stderr (configured, or after the target failed).</summary>
    public bool WritesToStandardError
    {
        get
        {
            lock (_lock)
            {
                return _destination.Kind == LogDestinationKind.StandardError;
            }
        }
    }

    /// <summary>Where lines go now, in words (for "log continues in ..." lines and tests).</summary>
    public string Describe()
    {
        lock (_lock)
        {
            return _destination.ToString();
        }
    }

    /// <summary>The pre-launched default: the default file, lines held until Configure names the target.</summary>
    public static PluginLog ForPreLaunched() =>
        new(DefaultFilePath, ProtocolLogLevel.Info, holdUntilReleased: true, followConfiguration: true, standardError: null);

    /// <summary>External mode: <c>--log-file</c> fixes the target; without it, stderr until the configuration names one.</summary>
    public static PluginLog ForExternal(string? logFileOption, ProtocolLogLevel level) =>
        logFileOption is null
            ? new(StandardError, level, holdUntilReleased: false, followConfiguration: true, standardError: null)
            : new(logFileOption, level);

    /// <summary>A log that starts at <paramref name="initialPath"/> and moves where the configuration says (tests).</summary>
    internal static PluginLog FollowingConfiguration(string? initialPath, ProtocolLogLevel level, bool holdUntilReleased = false, TextWriter? standardError = null, string? journalSocket = null) =>
        new(initialPath, level, holdUntilReleased, followConfiguration: true, standardError) { _journalSocket = journalSocket ?? JournalLogSink.DefaultSocketPath };

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

    /// <summary>
    /// The <c>log.*</c> settings of a valid configuration: level, format and rotation always; the
    /// target unless the command line fixed it. Releases held lines to the (new) target.
    /// </summary>
    public void Apply(ResMgrSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        MinimumLevel = settings.LogLevel switch
        {
            LogLevel.Trace or LogLevel.Debug => ProtocolLogLevel.Debug,
            LogLevel.Warning => ProtocolLogLevel.Warning,
            LogLevel.Error => ProtocolLogLevel.Error,
            _ => ProtocolLogLevel.Info,
        };
        lock (_lock)
        {
            bool rotationChanged = _maxBytes != settings.LogMaxSizeBytes;
            _format = settings.LogFormat;
            _maxBytes = settings.LogMaxSizeBytes;
            LogDestination wanted = _followConfiguration ? LogDestination.FromSettings(settings.LogTarget, settings.LogFile) : _destination;
            if (wanted != _destination)
            {
                MoveLocked(wanted);
            }
            else if (rotationChanged && _destination.Kind == LogDestinationKind.File)
            {
                CloseSinkLocked();
            }
            FlushHeldLocked();
        }
    }

    /// <summary>Stops holding: the held lines go to the current target, later lines follow.</summary>
    public void Release()
    {
        lock (_lock)
        {
            FlushHeldLocked();
        }
    }

    /// <summary>Switches to another file ("-" = stderr); null turns logging off.</summary>
    public void Redirect(string? path)
    {
        lock (_lock)
        {
            LogDestination wanted = LogDestination.FromPath(path);
            if (wanted != _destination)
            {
                MoveLocked(wanted);
            }
            FlushHeldLocked();
        }
    }

    public bool IsEnabled(ProtocolLogLevel level) => level >= MinimumLevel && (_held is not null || _destination.Kind != LogDestinationKind.Off);

    public void Write(ProtocolLogLevel level, string message) => Write(level, "", "", "", message);

    /// <summary>
    /// An entry about one event (e.g. <c>CreateContainer</c>), pod (<c>namespace/name</c>) and
    /// container (name): the JSON format and the journal carry them as fields. Empty fields are
    /// taken from the NRI request being served (<see cref="LogContext"/>).
    /// </summary>
    public void Write(ProtocolLogLevel level, string eventName, string pod, string container, string message)
    {
        if (!IsEnabled(level))
        {
            return;
        }
        if (eventName.Length == 0 && LogContext.Current is { } scope)
        {
            (eventName, pod, container) = (scope.Event, pod.Length > 0 ? pod : scope.Pod, container.Length > 0 ? container : scope.Container);
        }
        var entry = new LogEntry(DateTime.UtcNow, level, eventName, pod, container, message);
        lock (_lock)
        {
            if (_held is not null)
            {
                if (_held.Count < MaxHeldLines)
                {
                    _held.Add(entry);
                }
                else
                {
                    _droppedWhileHeld++;
                }
                return;
            }
            WriteLocked(entry);
        }
    }

    private void MoveLocked(LogDestination wanted)
    {
        if (_wroteToDestination && _held is null && wanted.Kind != LogDestinationKind.Off)
        {
            WriteLocked(new LogEntry(DateTime.UtcNow, ProtocolLogLevel.Info, "", "", "", $"log continues in {wanted}"));
        }
        CloseSinkLocked();
        _destination = wanted;
        _wroteToDestination = false;
    }

    private void FlushHeldLocked()
    {
        List<LogEntry>? held = _held;
        _held = null;
        if (held is null)
        {
            return;
        }
        foreach (LogEntry entry in held)
        {
            WriteLocked(entry);
        }
        if (_droppedWhileHeld > 0)
        {
            WriteLocked(new LogEntry(DateTime.UtcNow, ProtocolLogLevel.Warning, "", "", "", $"{_droppedWhileHeld} early log lines were dropped"));
            _droppedWhileHeld = 0;
        }
    }

    private void WriteLocked(in LogEntry entry)
    {
        if (_destination.Kind == LogDestinationKind.Off)
        {
            return;
        }
        string line = LogFormatter.Format(entry, _format);
        _sink ??= OpenSinkLocked();
        if (_sink.TryWrite(entry, line, out string? error))
        {
            _wroteToDestination = true;
            return;
        }
        FallBackToStandardErrorLocked(error!);
        _sink!.TryWrite(entry, line, out _);
    }

    private ILogSink OpenSinkLocked()
    {
        switch (_destination.Kind)
        {
            case LogDestinationKind.File:
                return new FileLogSink(_destination.FilePath!, _maxBytes);
            case LogDestinationKind.Journal:
                if (JournalLogSink.TryOpen(_journalSocket, out string? error) is { } journal)
                {
                    return journal;
                }
                FallBackToStandardErrorLocked(error!);
                return _sink!;
            case LogDestinationKind.StandardOutput:
                return new StreamLogSink(StandardStreams.Out);
            default:
                return new StreamLogSink(_standardError);
        }
    }

    /// <summary>Says once, on stderr, why the configured target failed, and keeps logging there.</summary>
    private void FallBackToStandardErrorLocked(string error)
    {
        CloseSinkLocked();
        _destination = LogDestination.StandardError;
        _sink = new StreamLogSink(_standardError);
        _sink.TryWrite(default, LogFormatter.Format(new LogEntry(DateTime.UtcNow, ProtocolLogLevel.Warning, "", "", "", $"{error}; logging to stderr instead"), _format), out _);
    }

    private void CloseSinkLocked()
    {
        _sink?.Dispose();
        _sink = null;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            // Never configured (e.g. the runtime went away first): the held lines still reach the target.
            FlushHeldLocked();
            CloseSinkLocked();
        }
    }
}
