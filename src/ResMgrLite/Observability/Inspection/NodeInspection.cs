using ResMgrLite.Config;
using ResMgrLite.Config.Settings;
using ResMgrLite.Engine;
using ResMgrLite.Engine.Topology;
using ResMgrLite.Host.State;
using ResMgrLite.Host.Sysfs;
using ResMgrLite.Plugin;

namespace ResMgrLite.Observability.Inspection;

/// <summary>
/// What <c>resmgrlite state</c> and <c>resmgrlite nrt</c> read, the way the plugin reads it at
/// start: the configuration, the machine, and the state file (read once, never locked, never
/// written: the plugin replaces it by atomic rename, so a single read sees a whole file). The state
/// is then restored into a fresh engine with the plugin's own checks, which tells whether a plugin
/// started with this configuration would manage resources or stay off, and why.
/// </summary>
internal sealed class NodeInspection
{
    private NodeInspection(string stateDirectory)
    {
        Store = new CheckpointStore(stateDirectory);
    }

    public MachineTopology? Machine { get; private init; }

    public ResMgrSettings? Settings { get; private init; }

    public IReadOnlyList<ConfigProblem> ConfigProblems { get; private init; } = [];

    public CheckpointStore Store { get; }

    public CheckpointLoadResult State { get; private set; } = new(CheckpointStatus.Missing, null, null);

    /// <summary>The engine with the state restored; null when it could not be built or the state was refused.</summary>
    public ResourceEngine? Engine { get; private set; }

    /// <summary>Why resource management would be off; <see cref="PassiveReason.None"/> when it would be active.</summary>
    public PassiveReason OffReason { get; private set; }

    public bool WouldBeActive => OffReason == PassiveReason.None;

    /// <summary>Why resource management would be off, in words (the plugin's own messages).</summary>
    public string OffDetail { get; private set; } = "";

    /// <summary>What the operator does about <see cref="OffReason"/>.</summary>
    public string Advice { get; private set; } = "";

    /// <param name="configPath">The plugin's configuration file; null reads defaults and RESMGRLITE__* variables.</param>
    /// <param name="stateDirectory">Overrides the configuration's <c>state.directory</c>.</param>
    public static NodeInspection Load(string? configPath, string? stateDirectory, string sysfsRoot, System.Collections.IDictionary environment)
    {
        MachineTopology? machine = null;
        string? machineError = null;
        try
        {
            machine = SysfsTopologyDiscovery.Discover(sysfsRoot);
        }
        catch (TopologyDiscoveryException e)
        {
            machineError = e.Message;
        }
        ConfigLoadResult config = ConfigLoader.LoadWithEnvironment(configPath is null ? null : ConfigFileReader.Read(configPath), environment, machine is null ? null : MachineModel.ToFacts(machine));
        var inspection = new NodeInspection(stateDirectory ?? config.Options.State.Directory)
        {
            Machine = machine,
            Settings = config.Settings,
            ConfigProblems = config.Problems,
        };
        inspection.State = inspection.Store.Load();
        inspection.Judge(machineError);
        return inspection;
    }

    private void Judge(string? machineError)
    {
        const string Restart = "fix it and restart the plugin (for a pre-launched plugin: restart containerd)";
        if (State.Status == CheckpointStatus.Invalid)
        {
            Off(PassiveReason.UntrustedState, State.Error!, UntrustedAdvice);
            return;
        }
        if (Machine is null)
        {
            Off(PassiveReason.MachineUnreadable, $"cannot read the machine topology: {machineError}", Restart);
            return;
        }
        if (Settings is null)
        {
            Off(PassiveReason.InvalidConfiguration, string.Join("; ", ConfigProblems), "run resmgrlite validate --config FILE, " + Restart);
            return;
        }
        EngineStartResult started = EngineFactory.Start(Machine, Settings);
        if (started.Engine is not { } engine)
        {
            Off(PassiveReason.StartFailed, $"cannot start the resource managers: {string.Join("; ", started.Problems)}", Restart);
            return;
        }
        if (State.Status == CheckpointStatus.Loaded)
        {
            IReadOnlyList<string> problems = engine.Restore(State.Snapshot!);
            if (problems.Count > 0)
            {
                Off(PassiveReason.UntrustedState, $"{Store.FilePath}: state does not match this machine or configuration: {string.Join("; ", problems)}", UntrustedAdvice);
                return;
            }
        }
        Engine = engine;
    }

    private string UntrustedAdvice =>
        $"if a configuration change caused it, revert the change and restart the plugin; otherwise drain the node (kubectl drain), delete {Store.FilePath}, restart the plugin (for a pre-launched plugin: restart containerd) and uncordon (docs/state.md)";

    private void Off(PassiveReason reason, string detail, string advice)
    {
        OffReason = reason;
        OffDetail = detail;
        Advice = advice;
    }
}
