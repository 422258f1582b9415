using ResMgrLite.Nri;

namespace ResMgrLite.Plugin;

/// <summary>
/// Whether resource management is on, and if not why and what to do: the one place a gauge
/// (<c>resmgrlite_resource_management_active{reason}</c>) or a command reads it from. Going passive
/// is loud: an error in the plugin's log and the same line on stderr (the journal for an external
/// plugin under systemd; containerd gives a pre-launched plugin /dev/null, so there the log file is
/// the place, see docs/state.md).
/// </summary>
internal sealed class ResourceManagementStatus
{
    private readonly PluginLog _log;
    private readonly TextWriter _stderr;
    private volatile Snapshot _now = new(PassiveReason.NotConfigured, "the runtime has not configured the plugin yet");

    /// <summary>One consistent reading: the reason and its text always belong together.</summary>
    /// <param name="Detail">What is wrong and what to do; empty when active.</param>
    internal sealed record Snapshot(PassiveReason Reason, string Detail)
    {
        public bool IsActive => Reason == PassiveReason.None;
    }

    public ResourceManagementStatus(PluginLog log, TextWriter? stderr = null)
    {
        _log = log;
        _stderr = stderr ?? StandardStreams.Error;
    }

    public Snapshot Now => _now;

    /// <summary>The metric label of a reason: snake case, empty when active.</summary>
    public static string Label(PassiveReason reason) => reason switch
    {
        PassiveReason.None => "",
        PassiveReason.NotConfigured => "not_configured",
        PassiveReason.MachineUnreadable => "machine_unreadable",
        PassiveReason.InvalidConfiguration => "invalid_configuration",
        PassiveReason.StartFailed => "start_failed",
        _ => "untrusted_state",
    };

    /// <summary>
    /// What is wrong with an untrusted state file and what to do about it (also for
    /// <c>resmgrlite state</c>): <paramref name="problem"/> names the file and the fault.
    /// </summary>
    public static string UntrustedState(string problem, string stateFile) =>
        $"{problem}. Resource management is OFF (containers start without CPU pinning) until an operator drains the node's pods, " +
        $"deletes {stateFile} and restarts the plugin (restart containerd for a pre-launched plugin); see docs/state.md";

    public void Activate() => _now = new Snapshot(PassiveReason.None, "");

    /// <summary>Turns resource management off for <paramref name="reason"/>: logged as an error and printed to stderr.</summary>
    public void Passive(PassiveReason reason, string detail)
    {
        _now = new Snapshot(reason, detail);
        _log.Write(ProtocolLogLevel.Error, detail);
        if (_log.WritesToStandardError)
        {
            return; // The log line already went to stderr.
        }
        try
        {
            _stderr.WriteLine($"resmgrlite: {detail}");
            _stderr.Flush();
        }
        catch (IOException)
        {
            // stderr closed: the log line is the record.
        }
    }
}
