using System.Reflection;
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
    internal static string Version =>
        typeof(Cli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

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
            Commands = [Plugin.RunCommand.Create(), Topology(), Validate(), Conformance(), Debug()],
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

    private static CliOption SysfsOption() => new()
    {
        Name = "--sysfs",
        ValueName = "DIR",
        Description = "Root of the sysfs tree to read the machine from (tests point it at a synthetic tree).",
        Default = "/sys",
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

    private static CliCommand Conformance() => new("conformance", "Machine-readable checks of the engine against reference answers.")
    {
        Commands =
        [
            new CliCommand("cpu", "Run take-by-topology cases (JSON Lines on stdin) through the CPU allocator; one JSON line out per case.")
            {
                Run = args => ConformanceCpuCommand.Run(Console.In, args.Out),
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
                Run = args => TomlDecodeCommand.Run(Console.OpenStandardInput(), args.Out, args.Error),
            },
        ],
    };
}
