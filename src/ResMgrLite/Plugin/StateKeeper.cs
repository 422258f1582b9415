using System.Diagnostics.CodeAnalysis;
using ResMgrLite.Engine;
using ResMgrLite.Engine.State;
using ResMgrLite.Host.Files;
using ResMgrLite.Host.State;
using ResMgrLite.Nri;

namespace ResMgrLite.Plugin;

/// <summary>
/// The engine's state file (docs/state.md): restore at start, and writes only when the state
/// changed. A change that hands out something exclusive (CPUs, memory blocks, pod budgets and their
/// slices) is written and fsynced before the answer that depends on it leaves; a change that returns
/// something exclusive (a release: forgetting it can only leak, never share) or holds nothing
/// exclusive (a container on a shared pool, a new owner id, a Memory QoS request) is written with
/// the next write, at the next reconcile period, or at shutdown.
/// </summary>
internal sealed class StateKeeper(CheckpointStore store, PluginLog log)
{
    private long _writtenState = -1;
    private long _writtenExclusive = -1;

    public string FilePath => store.FilePath;

    /// <summary>Number of files written by this process (tests and benchmarks read it).</summary>
    public int Writes { get; private set; }

    /// <summary>Told about every write: how long it took and whether it succeeded (the metrics).</summary>
    public Action<TimeSpan, bool>? Written { get; set; }

    /// <summary>True when the state changed since the last write.</summary>
    public bool HasUnwrittenChanges(ResourceEngine engine) => engine.StateVersion != _writtenState;

    /// <summary>
    /// Loads the state file into a fresh engine (docs/state.md, "Recovery rules"). Any file that
    /// cannot be trusted — damaged, from a newer binary, or incompatible with this machine or
    /// configuration — is refused with <paramref name="untrusted"/> naming the file and the problem,
    /// and resource management stays off: guessing would risk a CPU in two exclusive sets, and the
    /// kubelet's own answer (refusing to start, docs/kubelet-rules.md §3.11) would take
    /// containerd down with us.
    /// </summary>
    public bool TryRestore(ResourceEngine engine, out EngineSnapshot? restored, [NotNullWhen(false)] out string? untrusted)
    {
        restored = null;
        untrusted = null;
        CheckpointLoadResult loaded = store.Load();
        switch (loaded.Status)
        {
            case CheckpointStatus.Missing:
                // Nothing is on disk yet: the first write that does not wait for an exclusive change creates the file.
                log.Write(ProtocolLogLevel.Info, $"state: no state file at {store.FilePath}, starting with empty state");
                return true;
            case CheckpointStatus.Loaded:
                IReadOnlyList<string> problems = engine.Restore(loaded.Snapshot!);
                if (problems.Count == 0)
                {
                    restored = loaded.Snapshot!;
                    // The file holds exactly the restored state: nothing to write until it changes.
                    MarkWritten(engine);
                    log.Write(ProtocolLogLevel.Info,
                        $"state: restored {restored.Containers.Count} container(s), {restored.Pods.Count} pod budget(s) from {store.FilePath}; shared pool {restored.DefaultCpus}");
                    return true;
                }
                untrusted = $"{store.FilePath}: state does not match this machine or configuration: {string.Join("; ", problems)}";
                return false;
            default:
                untrusted = loaded.Error ?? store.FilePath;
                return false;
        }
    }

    /// <summary>
    /// Before an answer leaves: writes when something exclusive changed since the last write (false,
    /// logged, when the disk refused); other changes wait for a later write.
    /// </summary>
    public bool PersistIfExclusiveChanged(ResourceEngine engine) =>
        engine.ExclusiveVersion == _writtenExclusive || TrySave(engine);

    /// <summary>
    /// Before a CreateContainer answer leaves: writes when the admission itself handed out something
    /// exclusive (<paramref name="exclusiveBefore"/> is the engine's exclusive version before it), or
    /// when there is no file yet. Releases that wait for a later write go into that write; an
    /// admission that takes nothing exclusive does not pay for them.
    /// </summary>
    public bool PersistIfAdmissionExclusive(ResourceEngine engine, long exclusiveBefore) =>
        (engine.ExclusiveVersion == exclusiveBefore && _writtenState >= 0) || PersistIfExclusiveChanged(engine);

    /// <summary>Writes when anything changed since the last write (Synchronize, the reconcile period, shutdown).</summary>
    public bool PersistIfChanged(ResourceEngine engine) =>
        !HasUnwrittenChanges(engine) || TrySave(engine);

    private bool TrySave(ResourceEngine engine)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            store.Save(engine.Snapshot());
            Writes++;
            MarkWritten(engine);
            Written?.Invoke(System.Diagnostics.Stopwatch.GetElapsedTime(started), true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Written?.Invoke(System.Diagnostics.Stopwatch.GetElapsedTime(started), false);
            log.Write(ProtocolLogLevel.Error, $"state: cannot write {store.FilePath}: {ErrorText.Of(e, store.FilePath)}");
            return false;
        }
    }

    private void MarkWritten(ResourceEngine engine) => (_writtenState, _writtenExclusive) = (engine.StateVersion, engine.ExclusiveVersion);
}
