using ResMgrLite.CommandLine;
using ResMgrLite.Commands;
using ResMgrLite.Engine.Topology;
using ResMgrLite.Host.Sysfs;

namespace ResMgrLite;

/// <summary>
/// The command line: one declaration per command (name, summary, options, what it runs); the
/// work of each lives in Commands/. Parsing and help are the project's own (CommandLine/), about
/// 650 KB smaller than System.CommandLine (docs/command-line.md).
/// </summary>
internal static class Cli
{
    private const string Program = "resmgrlite";

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => CliParser.Run(Root, args, stdout, stderr);

    internal static CliCommand Root { get; } = BuildRoot();

    /// <summary>The version as <c>--version</c> prints it: <c>MAJOR.MINOR.PATCH+COMMIT</c>.</summary>
    internal static string Version => BuildVersion.Informational;

    /// <summary>For options that name a file: an empty value names none and is refused.</summary>
    internal static string? NonEmptyFile(string optionName, string value) =>
        value.Length == 0 ? $"{optionName} needs a file name; the empty string names no file" : null;

    private static CliCommand BuildRoot()
    {
        var version = new CliOption { Name = "--version", Description = "Print the version and exit." };
        return new CliCommand(
            Program,
            "ResMgrLite: kubelet-grade CPU, memory and topology management as a containerd NRI plugin.\n" +
            "containerd runs it as a pre-launched plugin (no arguments); 'run' connects as an external plugin.")
        {
            Options = [version],
            Commands = [Plugin.RunCommand.Create(), Topology(), Validate(), State(), Nrt(), Simulate(), Conformance(), Debug()],
            Run = args =>
            {
                if (args.Has(version))
                {
                    args.Out.WriteLine(Version);
                    return 0;
                }
                // No command and no NRI environment: show what the binary can do.
                CliHelp.Write(Root, Program, args.Out);
                return 0;
            },
            Details = """
                Run 'resmgrlite COMMAND --help' for the options of a command.

                Exit status:
                  0  success
                  1  the command failed (its message says why)
                  2  wrong usage: unknown command or option, missing or refused value
                """,
        };
    }

    private static CliOption SysfsOption(bool hidden = false) => new()
    {
        Name = "--sysfs",
        ValueName = "DIR",
        Description = "Root of the sysfs tree to read the machine from (tests point it at a synthetic tree).",
        Default = "/sys",
        Hidden = hidden,
    };

    private static CliCommand Topology()
    {
        CliOption sysfs = SysfsOption();
        var proc = new CliOption { Name = "--proc", ValueName = "DIR", Description = "Root of procfs (for the cgroup mounts).", Default = "/proc", Hidden = true };
        var json = new CliOption { Name = "--json", Description = "Print JSON instead of the readable tree." };
        return new CliCommand("topology", "Show the machine as the resource managers see it: sockets, NUMA nodes, cores, threads, caches, memory, hugepages, distances, cgroups.")
        {
            Options = [sysfs, proc, json],
            Run = args => TopologyCommand.Run(args.Required(sysfs), args.Required(proc), args.Has(json), args.Out, args.Error),
        };
    }

    private static CliCommand Validate()
    {
        CliOption sysfs = SysfsOption();
        var config = new CliOption
        {
            Name = "--config",
            ValueName = "FILE",
            Description = "Configuration file (TOML or JSON); without it the defaults and RESMGRLITE__* variables are checked.",
            Check = value => NonEmptyFile("--config", value),
        };
        return new CliCommand("validate", "Check a configuration against the schema and this machine; prints every problem with file:line:column, exits 0 when valid, 1 otherwise.")
        {
            Options = [config, sysfs],
            Run = args =>
            {
                MachineTopology machine;
                try
                {
                    machine = SysfsTopologyDiscovery.Discover(args.Required(sysfs));
                }
                catch (TopologyDiscoveryException e)
                {
                    args.Error.WriteLine($"resmgrlite validate: cannot read the machine: {e.Message}");
                    return 1;
                }
                return ValidateCommand.Run(args.Value(config), MachineModel.ToFacts(machine), args.Out, args.Error);
            },
        };
    }

    private static CliOption PluginConfigOption() => new()
    {
        Name = "--config",
        ValueName = "FILE",
        Description = "The plugin's configuration file (for state.directory and the checks the plugin makes at start); without it the defaults and RESMGRLITE__* variables.",
        Check = value => NonEmptyFile("--config", value),
    };

    private static CliOption StateDirOption() => new()
    {
        Name = "--state-dir",
        ValueName = "DIR",
        Description = "Directory of the state file; default: state.directory of the configuration (/var/lib/resmgrlite).",
        Check = value => value.Length == 0 ? "--state-dir needs a directory; the empty string names none" : null,
    };

    private static Observability.Inspection.NodeInspection Inspect(CliArguments args, CliOption config, CliOption stateDir, CliOption sysfs) =>
        Observability.Inspection.NodeInspection.Load(args.Value(config), args.Value(stateDir), args.Required(sysfs), Environment.GetEnvironmentVariables());

    private static CliCommand State()
    {
        CliOption config = PluginConfigOption();
        CliOption stateDir = StateDirOption();
        CliOption sysfs = SysfsOption(hidden: true);
        var json = new CliOption { Name = "--json", Description = "Print JSON for scripts." };
        return new CliCommand("state", "Show what the plugin holds, from its state file (read-only; safe while the plugin runs): per container CPUs, NUMA nodes, memory blocks and isolation level; shared pools; pod budgets; reserved CPUs; whether resource management is on and why not.")
        {
            Options = [config, stateDir, json, sysfs],
            Run = args => StateCommand.Run(Inspect(args, config, stateDir, sysfs), args.Has(json), args.Out),
            Details = """
                The state file is read once and checked against this machine and configuration
                as the plugin checks it at start; nothing is locked or written. Containers are
                named by pod UID and container name (the state file holds no pod names).

                Exit status:
                  0  resource management would be on (also when there is no state file yet)
                  1  a plugin started with this state and configuration would stay off; the
                     output says why and what to do
                  2  wrong usage
                """,
        };
    }

    private static CliCommand Nrt()
    {
        CliOption config = PluginConfigOption();
        CliOption stateDir = StateDirOption();
        CliOption sysfs = SysfsOption(hidden: true);
        var nodeName = new CliOption
        {
            Name = "--node-name",
            ValueName = "NAME",
            Description = "metadata.name of the document; default: nrt.nodeName of the configuration, else the host name.",
            Check = value => value.Length == 0 ? "--node-name needs a name; the empty string names no node" : null,
        };
        return new CliCommand("nrt", "Print this node's NodeResourceTopology (topology.node.k8s.io/v1alpha2) JSON for the scheduler-plugins NodeResourceTopologyMatch plugin, with the allocations of the state file.")
        {
            Options = [config, stateDir, nodeName, sysfs],
            Run = args => NrtCommand.Run(Inspect(args, config, stateDir, sysfs), args.Value(nodeName), args.Out, args.Error),
            Details = """
                Publish it with: resmgrlite nrt | kubectl apply -f -
                The plugin keeps the same document in the file named by nrt.file.

                Exit status:
                  0  the document, with what the state file's allocations leave available
                  1  no document (the machine or the configuration cannot be read), or, with
                     a warning on stderr, a document whose 'available' shows no allocations
                     because the state file cannot be used
                  2  wrong usage
                """,
        };
    }

    private static CliCommand Simulate()
    {
        var config = new CliOption
        {
            Name = "--config",
            ValueName = "FILE",
            Description = "Configuration file (TOML or JSON), as the plugin would read it; RESMGRLITE__* variables apply too. Required.",
            Check = value => NonEmptyFile("--config", value),
        };
        var topology = new CliOption
        {
            Name = "--topology",
            ValueName = "DIR|FILE",
            Description = "The machine: a sysfs directory (e.g. /sys) or a file saved from 'resmgrlite topology --json' on that machine. Required.",
            Check = value => NonEmptyFile("--topology", value),
        };
        var pods = new CliOption
        {
            Name = "--pods",
            ValueName = "FILE",
            Description = "The pods, in start order: a Kubernetes List of pods in JSON (kubectl get pods -o json fits; docs/simulate.md). Required.",
            Check = value => NonEmptyFile("--pods", value),
        };
        var proc = new CliOption { Name = "--proc", ValueName = "DIR", Description = "Root of procfs (cgroup mounts, for a sysfs --topology).", Default = "/proc", Hidden = true };
        var json = new CliOption { Name = "--json", Description = "Print JSON for scripts instead of text." };
        return new CliCommand("simulate", "Dry run: place pods on a machine with a configuration, as the plugin would, and print every container's CPUs, NUMA nodes, memory blocks, isolation level or refusal, then the pools and Memory QoS values.")
        {
            Options = [config, topology, pods, json, proc],
            Run = args =>
            {
                foreach (CliOption required in (ReadOnlySpan<CliOption>)[config, topology, pods])
                {
                    if (args.Value(required) is null)
                    {
                        args.Error.WriteLine($"resmgrlite simulate: {required.Name} is required: give --config FILE, --topology DIR|FILE and --pods FILE (resmgrlite simulate --help)");
                        return 2;
                    }
                }
                return SimulateCommand.Run(args.Required(config), args.Required(topology), args.Required(pods), args.Required(proc), args.Has(json),
                    Environment.GetEnvironmentVariables(), args.Out, args.Error);
            },
            Details = """
                Pods are placed in file order, each pod's containers in the kubelet's
                start order (init containers and sidecars, then app containers), one at a
                time as containerd hands them to the plugin; a refused container is left
                out and the next one is tried. The output is the node once every pod is in.
                Notes name the annotations a node needs for the plugin to see a pod as its
                spec declares it (docs/inputs.md). Format and examples: docs/simulate.md.

                Exit status: 0 simulated (refusals are results, not failures), 1 an input
                cannot be used (the message names the file, the field and what to do),
                2 wrong usage.
                """,
        };
    }

    private static CliCommand Conformance() => new("conformance", "Machine-readable checks of the engine against reference answers.")
    {
        Commands =
        [
            new CliCommand("cpu", "Run take-by-topology cases (JSON Lines on stdin) through the CPU allocator; one JSON line out per case.")
            {
                Run = args => ConformanceCpuCommand.Run(StandardStreams.In, args.Out),
                Details = """
                    Input: one JSON object per line (blank lines are skipped):
                      {"id":"c1","topology":{"cpus":[{"cpu":0,"core":0,"socket":0,"numa":0},...]},
                       "available":"0-3,8-11","count":4,"strategy":"packed","groupSize":1}
                    Fields:
                      id            any JSON value, echoed in the answer
                      topology.cpus every CPU with "cpu", "core", "socket", "numa" (integers) and
                                    optional "uncore" (L3 group, default 0)
                      available     cpulist the CPUs are taken from (kernel syntax)
                      count         how many CPUs to take (integer >= 0)
                      strategy      "packed" (default) or "distributed" (across NUMA nodes)
                      groupSize     distributed only: take CPUs in groups of this size (default 1)
                      sorting       "packed" (default) or "spread" (distribute-cpus-across-cores)
                      preferAlignByUncoreCache  true to prefer whole uncore caches (packed only)

                    Output: one line per case, in order:
                      {"id":"c1","result":"0-1,8-9","error":null}
                    or "result" null and "error" the reason (not enough CPUs, or what is wrong with
                    the line, e.g. "line 3: missing \"count\""). A malformed line is answered and
                    the run goes on; the exit status is 0 at the end of the input.
                    """,
            },
        ],
    };

    private static CliCommand Debug() => new("debug", "Developer tools.")
    {
        Hidden = true,
        Commands =
        [
            new CliCommand("toml-decode", "toml-test decoder interface: TOML on stdin, tagged JSON on stdout; invalid TOML: message on stderr, exit 1.")
            {
                Run = args => TomlDecodeCommand.Run(StandardStreams.OpenInput(), args.Out, args.Error),
            },
            new CliCommand("gc-config", "The garbage collector's settings as it reports them (check baked-in runtime knobs with env -i).")
            {
                Run = args => GcConfigCommand.Run(args.Out),
            },
        ],
    };
}
