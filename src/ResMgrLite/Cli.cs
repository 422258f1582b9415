using System.CommandLine;
using ResMgrLite.Commands;
using ResMgrLite.Engine.Topology;
using ResMgrLite.Host.Sysfs;

namespace ResMgrLite;

/// <summary>The command line (System.CommandLine). Each command's work lives in Commands/.</summary>
internal static class Cli
{
    public static RootCommand Build()
    {
        var root = new RootCommand(
            "ResMgrLite: kubelet-grade CPU, memory and topology management as a containerd NRI plugin.\n" +
            "containerd runs it as a pre-launched plugin (no arguments); 'run' connects as an external plugin.");

        root.Add(Plugin.RunCommand.Create());
        root.Add(TopologyCommandLine());
        root.Add(ValidateCommandLine());
        root.Add(StateCommandLine());
        root.Add(NrtCommandLine());
        root.Add(ConformanceCommand());
        root.Add(DebugCommand());
        root.SetAction(_ =>
        {
            // No command and no NRI environment: show what the binary can do.
            return root.Parse("--help").Invoke();
        });
        return root;
    }

    private static Option<string> SysfsOption() => new("--sysfs")
    {
        Description = "Root of the sysfs tree to read the machine from (tests point it at a synthetic tree).",
        DefaultValueFactory = _ => "/sys",
    };

    private static Command TopologyCommandLine()
    {
        Option<string> sysfs = SysfsOption();
        var proc = new Option<string>("--proc") { Description = "Root of procfs (for the cgroup mounts).", DefaultValueFactory = _ => "/proc", Hidden = true };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of the readable tree." };
        var command = new Command("topology", "Show the machine as the resource managers see it: sockets, NUMA nodes, cores, threads, caches, memory, hugepages, distances, cgroups.")
        {
            sysfs, proc, json,
        };
        command.SetAction(result => TopologyCommand.Run(result.GetValue(sysfs)!, result.GetValue(proc)!, result.GetValue(json), Console.Out, Console.Error));
        return command;
    }

    private static Command ValidateCommandLine()
    {
        Option<string> sysfs = SysfsOption();
        var config = new Option<string?>("--config") { Description = "Configuration file (TOML or JSON); without it the defaults and RESMGRLITE__* variables are checked." };
        var command = new Command("validate", "Check a configuration against the schema and this machine; prints every problem with file:line:column, exits 0 when valid, 1 otherwise.")
        {
            config, sysfs,
        };
        command.SetAction(result =>
        {
            MachineTopology machine;
            try
            {
                machine = SysfsTopologyDiscovery.Discover(result.GetValue(sysfs)!);
            }
            catch (TopologyDiscoveryException e)
            {
                Console.Error.WriteLine($"resmgrlite validate: cannot read the machine: {e.Message}");
                return 1;
            }
            return ValidateCommand.Run(result.GetValue(config), MachineModel.ToFacts(machine), Console.Out, Console.Error);
        });
        return command;
    }

    private static Option<string?> ConfigOption() => new("--config")
    {
        Description = "The plugin's configuration file (for state.directory and the checks the plugin makes at start); without it the defaults and RESMGRLITE__* variables.",
    };

    private static Option<string?> StateDirOption() => new("--state-dir")
    {
        Description = "Directory of the state file; default: state.directory of the configuration (/var/lib/resmgrlite).",
    };

    private static Observability.Inspection.NodeInspection Inspect(ParseResult result, Option<string?> config, Option<string?> stateDir, Option<string> sysfs) =>
        Observability.Inspection.NodeInspection.Load(result.GetValue(config), result.GetValue(stateDir), result.GetValue(sysfs)!, Environment.GetEnvironmentVariables());

    private static Command StateCommandLine()
    {
        Option<string?> config = ConfigOption();
        Option<string?> stateDir = StateDirOption();
        Option<string> sysfs = SysfsOption();
        sysfs.Hidden = true;
        var json = new Option<bool>("--json") { Description = "Print JSON for scripts." };
        var command = new Command("state", "Show what the plugin holds, from its state file (read-only; safe while the plugin runs): per container CPUs, NUMA nodes, memory blocks and isolation level; shared pools; pod budgets; reserved CPUs; whether resource management is on and why not. Exit 0 usable, 1 the plugin would stay off, 2 error.")
        {
            config, stateDir, json, sysfs,
        };
        command.SetAction(result => StateCommand.Run(Inspect(result, config, stateDir, sysfs), result.GetValue(json), Console.Out));
        return command;
    }

    private static Command NrtCommandLine()
    {
        Option<string?> config = ConfigOption();
        Option<string?> stateDir = StateDirOption();
        Option<string> sysfs = SysfsOption();
        sysfs.Hidden = true;
        var nodeName = new Option<string?>("--node-name") { Description = "metadata.name of the document; default: nrt.nodeName of the configuration, else the host name." };
        var command = new Command("nrt", "Print this node's NodeResourceTopology (topology.node.k8s.io/v1alpha2) JSON for the scheduler-plugins NodeResourceTopologyMatch plugin, with the allocations of the state file.")
        {
            config, stateDir, nodeName, sysfs,
        };
        command.SetAction(result => NrtCommand.Run(Inspect(result, config, stateDir, sysfs), result.GetValue(nodeName), Console.Out, Console.Error));
        return command;
    }

    private static Command DebugCommand()
    {
        var tomlDecode = new Command("toml-decode", "toml-test decoder interface: TOML on stdin, tagged JSON on stdout; invalid TOML: message on stderr, exit 1.");
        tomlDecode.SetAction(_ => TomlDecodeCommand.Run(Console.OpenStandardInput(), Console.Out, Console.Error));
        return new Command("debug", "Developer tools.") { Hidden = true, Subcommands = { tomlDecode } };
    }

    private static Command ConformanceCommand()
    {
        var cpu = new Command("cpu", "Run take-by-topology cases (JSON Lines on stdin) through the CPU allocator; one JSON line out per case.");
        cpu.SetAction(_ => ConformanceCpuCommand.Run(Console.In, Console.Out));
        var conformance = new Command("conformance", "Machine-readable checks of the engine against reference answers.") { cpu };
        return conformance;
    }
}
