using System.Collections;
using System.Globalization;
using System.Text;
using ResMgrLite.Config.Validation;
using ResMgrLite.Engine;
using ResMgrLite.Host.Files;
using ResMgrLite.Nri;

namespace ResMgrLite.Hooks;

/// <summary>
/// Runs the executables of <c>hooks.directory</c> after allocation changes, off the NRI answer path.
/// </summary>
/// <remarks>
/// <para><see cref="Notify"/> only stores the change and wakes one background thread: it never
/// waits for a hook. Only the newest change matters to a hook (every change carries the complete
/// pools), so a hook that is still busy when several changes arrive runs once more, with the newest,
/// and is told how many it missed ("coalesced"). The queue is therefore one slot per runner, never
/// longer.</para>
/// <para>Hooks run one at a time, in ordinal order of their file names; each run is bounded by
/// <c>hooks.timeout</c>, after which the hook's whole process group is killed. The directory is
/// listed again before each round, so adding or removing a hook needs no restart.</para>
/// </remarks>
internal sealed class HookRunner : IDisposable
{
    /// <summary>Bytes of a run's stdout and stderr that reach the log.</summary>
    public const int OutputLimitBytes = 4096;

    private readonly IProtocolLog _log;
    private readonly IDictionary _environment;
    private readonly uint _owner;
    // A monitor, not a Lock: the worker waits on it for changes (Monitor.Wait).
    private readonly object _lock = new();
    private readonly Dictionary<string, HookState> _hooks = new(StringComparer.Ordinal);

    // Guarded by _lock. "Ready" is the newest change hooks may see; "pending" a newer one that
    // waits for the runtime's acknowledgment (NotifyUnacknowledged).
    private string _directory = "";
    private TimeSpan _timeout = TimeSpan.FromSeconds(5);
    private AllocationChange? _latest;
    private long _latestSequence;
    private AllocationChange? _pending;
    private long _pendingSequence;
    private string _pendingAwaits = "";
    private long _pendingSince;
    private long _sequence;
    private long _doneSequence;
    private bool _busy;
    private bool _stopping;
    private Thread? _worker;

    // Worker thread only.
    private string? _loggedDirectoryProblem;

    private sealed class HookState(long lastSequence)
    {
        public long LastSequence { get; set; } = lastSequence;

        public string? LoggedProblem { get; set; }
    }

    /// <param name="log">Where results and hook output go.</param>
    /// <param name="environment">The plugin's environment (RESMGRLITE_HOOK_* variables are passed to hooks).</param>
    /// <param name="requiredOwner">The uid hooks and their directory must belong to: root (0), except in tests.</param>
    public HookRunner(IProtocolLog log, IDictionary environment, uint requiredOwner = 0)
    {
        _log = log;
        _environment = environment;
        _owner = requiredOwner;
    }

    /// <summary>Runs by hook and result, for the metrics endpoint.</summary>
    public HookCounters Counters { get; } = new();

    /// <summary>
    /// Applies <c>hooks.directory</c> (empty = off) and <c>hooks.timeout</c>; both change live. Turning
    /// hooks on runs them once with the newest change seen so far.
    /// </summary>
    public void Configure(string directory, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(directory);
        lock (_lock)
        {
            bool changed = directory != _directory;
            _directory = directory;
            _timeout = timeout > TimeSpan.Zero ? timeout : _timeout;
            if (changed && directory.Length > 0 && (_latest is not null || _pending is not null))
            {
                // Hooks of a new directory have not seen the current state yet.
                _doneSequence = 0;
                WakeLocked();
            }
        }
    }

    /// <summary>How long a change waits for the runtime's acknowledgment before the hooks run with it anyway.</summary>
    public static readonly TimeSpan AcknowledgementWait = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Records a change the runtime acknowledged and returns at once; the hooks run later on the
    /// runner's thread. Safe to call from any thread; never throws for a hook's sake. A change that
    /// was still waiting for its acknowledgment is replaced: this one carries the newer pools.
    /// </summary>
    public void Notify(AllocationChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_lock)
        {
            if (_stopping)
            {
                return;
            }
            _pending = null;
            _latest = change;
            _latestSequence = ++_sequence;
            if (_directory.Length > 0)
            {
                WakeLocked();
            }
        }
    }

    /// <summary>
    /// Records a change the runtime has been told but has not yet confirmed: the hooks see it after
    /// <see cref="Acknowledge"/> names <paramref name="awaitedContainerId"/> (empty: only a later
    /// change or the wait), after a later <see cref="Notify"/>, or after <see cref="AcknowledgementWait"/>
    /// (the decision stands either way: the engine and the state file hold it). Returns at once.
    /// </summary>
    public void NotifyUnacknowledged(AllocationChange change, string awaitedContainerId)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(awaitedContainerId);
        lock (_lock)
        {
            if (_stopping)
            {
                return;
            }
            _pending = change;
            _pendingSequence = ++_sequence;
            _pendingAwaits = awaitedContainerId;
            _pendingSince = Environment.TickCount64;
            if (_directory.Length > 0)
            {
                WakeLocked();
            }
        }
    }

    /// <summary>The runtime confirmed the container (it started it): a change waiting for it becomes visible to the hooks.</summary>
    public void Acknowledge(string containerId)
    {
        lock (_lock)
        {
            if (_pending is not null && _pendingAwaits.Length > 0 && string.Equals(_pendingAwaits, containerId, StringComparison.Ordinal))
            {
                PromotePendingLocked();
                if (_directory.Length > 0)
                {
                    WakeLocked();
                }
            }
        }
    }

    private void PromotePendingLocked()
    {
        _latest = _pending;
        _latestSequence = _pendingSequence;
        _pending = null;
    }

    /// <summary>At plugin start: the hooks run once with the current pools (event "replay").</summary>
    public void ReplayCurrentState(CpuSet sharedCpus, CpuSet exclusiveCpus) =>
        Notify(AllocationChange.OfPools(AllocationEvent.Replay, sharedCpus, exclusiveCpus));

    /// <summary>Waits until every hook has seen the newest change (tests; an orderly shutdown).</summary>
    public bool WaitForIdle(TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_lock)
        {
            while (_busy || (_directory.Length > 0 && !_stopping && (_pending is not null || (_latest is not null && _doneSequence < _latestSequence))))
            {
                long left = deadline - Environment.TickCount64;
                if (left <= 0 || !Monitor.Wait(_lock, TimeSpan.FromMilliseconds(left)))
                {
                    return false;
                }
            }
            return true;
        }
    }

    /// <summary>Stops after the hook that is running now (if any) has ended.</summary>
    public void Dispose()
    {
        Thread? worker;
        TimeSpan timeout;
        lock (_lock)
        {
            _stopping = true;
            worker = _worker;
            timeout = _timeout;
            Monitor.PulseAll(_lock);
        }
        worker?.Join(timeout + TimeSpan.FromSeconds(3));
    }

    private void WakeLocked()
    {
        if (_worker is null)
        {
            // Small stack: the thread only spawns processes and formats log lines.
            _worker = new Thread(WorkerLoop, 256 * 1024) { IsBackground = true, Name = "resmgrlite-hooks" };
            _worker.Start();
        }
        Monitor.PulseAll(_lock);
    }

    private void WorkerLoop()
    {
        while (true)
        {
            string directory;
            long target;
            lock (_lock)
            {
                if (!WaitForWorkLocked())
                {
                    Monitor.PulseAll(_lock);
                    return;
                }
                directory = _directory;
                target = _latestSequence;
                _busy = true;
            }
            try
            {
                RunRound(directory);
            }
#pragma warning disable CA1031 // The runner's thread must survive anything a round throws: an exception here would end the plugin.
            catch (Exception e)
#pragma warning restore CA1031
            {
                _log.Write(ProtocolLogLevel.Error, $"hooks: a round of hooks failed: {e.Message}");
            }
            lock (_lock)
            {
                _doneSequence = Math.Max(_doneSequence, target);
                _busy = false;
                Monitor.PulseAll(_lock);
            }
        }
    }

    /// <summary>Waits (holding the monitor) until there is a change for the hooks; false when stopping.</summary>
    private bool WaitForWorkLocked()
    {
        while (!_stopping)
        {
            if (_pending is not null)
            {
                long left = _pendingSince + (long)AcknowledgementWait.TotalMilliseconds - Environment.TickCount64;
                if (left <= 0)
                {
                    // The runtime said nothing in time; the allocation holds all the same.
                    PromotePendingLocked();
                }
                else if (_directory.Length > 0)
                {
                    Monitor.Wait(_lock, TimeSpan.FromMilliseconds(left));
                    continue;
                }
            }
            if (_directory.Length > 0 && _latest is not null && _doneSequence < _latestSequence)
            {
                return true;
            }
            Monitor.Wait(_lock);
        }
        return false;
    }

    /// <summary>Lists the directory and runs each hook that has not seen the newest change.</summary>
    private void RunRound(string directory)
    {
        List<HookFile> files = HookDirectory.Scan(directory, _owner, out string? directoryRefusal);
        if (directoryRefusal is not null)
        {
            if (directoryRefusal != _loggedDirectoryProblem)
            {
                _loggedDirectoryProblem = directoryRefusal;
                _log.Write(ProtocolLogLevel.Warning, $"hooks: {directory} is refused, no hook runs: {directoryRefusal}");
            }
            return;
        }
        _loggedDirectoryProblem = null;

        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (HookFile file in files)
        {
            present.Add(file.Name);
            AllocationChange change;
            long sequence;
            TimeSpan timeout;
            lock (_lock)
            {
                if (_stopping || _directory != directory)
                {
                    return;
                }
                change = _latest!;
                sequence = _latestSequence;
                timeout = _timeout;
            }
            if (!_hooks.TryGetValue(file.Name, out HookState? state))
            {
                // A hook that appears now has missed nothing: it starts from the newest change.
                state = new HookState(sequence - 1);
                _hooks[file.Name] = state;
            }
            if (state.LastSequence >= sequence)
            {
                continue;
            }
            long coalesced = sequence - state.LastSequence - 1;
            state.LastSequence = sequence;
            string? problem = file.Refusal ?? file.Ignored;
            if (problem is not null)
            {
                if (problem != state.LoggedProblem)
                {
                    state.LoggedProblem = problem;
                    _log.Write(file.Refusal is not null ? ProtocolLogLevel.Warning : ProtocolLogLevel.Info,
                        file.Refusal is not null ? $"hooks: {file.Path} is refused: {problem}" : $"hooks: {file.Path} is not run: {problem}");
                }
                if (file.Refusal is not null)
                {
                    Counters.CountRun(file.Name, HookResult.Refused);
                }
                continue;
            }
            state.LoggedProblem = null;
            Counters.CountCoalesced(coalesced);
            RunOne(file, change, sequence, coalesced, timeout);
        }
        foreach (string name in _hooks.Keys)
        {
            if (!present.Contains(name))
            {
                _hooks.Remove(name);   // removing while enumerating a Dictionary is allowed since .NET Core 3.0
            }
        }
    }

    private void RunOne(HookFile file, AllocationChange change, long sequence, long coalesced, TimeSpan timeout)
    {
        byte[] document = HookInput.Document(change, sequence, coalesced);
        List<string> environment = HookInput.Environment(change, sequence, coalesced, _environment);
        HookOutcome outcome = HookProcess.Run(file.Path, document, environment, timeout, OutputLimitBytes);
        Counters.CountRun(file.Name, outcome.Result);
        string what = $"{AllocationEventNames.Of(change.Event)} #{sequence.ToString(CultureInfo.InvariantCulture)}";
        string took = $"{outcome.Elapsed.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms";
        (ProtocolLogLevel level, string summary) = outcome.Result switch
        {
            HookResult.Succeeded => (ProtocolLogLevel.Debug, $"hook {file.Name} ({what}): done in {took}"),
            HookResult.TimedOut => (ProtocolLogLevel.Warning,
                $"hook {file.Name} ({what}): still running after hooks.timeout ({GoDuration.Format(timeout)}), killed with its process group"),
            HookResult.NotStarted => (ProtocolLogLevel.Warning,
                $"hook {file.Name} ({what}): {outcome.Failure}: {StartError(outcome.Error)}"),
            _ => (ProtocolLogLevel.Warning, outcome.Signal != 0
                ? $"hook {file.Name} ({what}): killed by signal {outcome.Signal.ToString(CultureInfo.InvariantCulture)} after {took}"
                : $"hook {file.Name} ({what}): failed with exit status {outcome.ExitCode.ToString(CultureInfo.InvariantCulture)} after {took}"),
        };
        // Output of a successful run is the hook talking on purpose (log-allocations): info.
        WriteOutput(file.Name, outcome.Output, level == ProtocolLogLevel.Debug ? ProtocolLogLevel.Info : level);
        _log.Write(level, summary);
    }

    private void WriteOutput(string hook, CappedOutput? output, ProtocolLogLevel level)
    {
        if (output is null || !_log.IsEnabled(level))
        {
            return;
        }
        string text = Encoding.UTF8.GetString(output.Kept);
        foreach (string line in text.Split('\n'))
        {
            string clean = HookInput.Clean(line.TrimEnd('\r').Replace('\t', ' '));
            if (clean.Length > 0)
            {
                _log.Write(level, $"hook {hook}: {clean}");
            }
        }
        if (output.DroppedBytes > 0)
        {
            _log.Write(level, $"hook {hook}: ({output.DroppedBytes.ToString(CultureInfo.InvariantCulture)} more bytes of output not logged)");
        }
    }

    // ENOEXEC is the usual mistake with a script: say what to check.
    private static string StartError(int errno) =>
        errno == 8 ? "the kernel cannot run it (does the script start with a #! line?)" : ErrorText.OfErrno(errno);
}
