using ResMgrLite.CommandLine;
using ResMgrLite.TestSupport.Sysfs;

namespace ResMgrLite.Tests.CommandLine;

/// <summary>The real command table (<see cref="Cli"/>) through the parser, in process.</summary>
public class CliTests
{
    private static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exitCode = Cli.Run(args, stdout, stderr);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    public static TheoryData<string> VisibleCommandPaths()
    {
        var data = new TheoryData<string>();
        Walk(Cli.Root, "", data, includeHidden: false);
        return data;
    }

    public static TheoryData<string> AllCommandPaths()
    {
        var data = new TheoryData<string>();
        Walk(Cli.Root, "", data, includeHidden: true);
        return data;
    }

    private static void Walk(CliCommand command, string path, TheoryData<string> data, bool includeHidden)
    {
        data.Add(path);
        foreach (CliCommand sub in command.Commands)
        {
            if (includeHidden || !sub.Hidden)
            {
                Walk(sub, (path + " " + sub.Name).Trim(), data, includeHidden);
            }
        }
    }

    private static CliCommand Find(string path)
    {
        CliCommand command = Cli.Root;
        foreach (string name in path.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            command = command.FindCommand(name)!;
        }
        return command;
    }

    [Theory]
    [MemberData(nameof(AllCommandPaths))]
    public void Every_command_has_help_with_usage_its_visible_options_and_no_hidden_ones(string path)
    {
        string[] words = path.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var (exitCode, stdout, stderr) = Run([.. words, "--help"]);

        Assert.Equal(0, exitCode);
        Assert.Empty(stderr);
        Assert.StartsWith($"Usage: {("resmgrlite " + path).Trim()} ", stdout, StringComparison.Ordinal);
        Assert.Contains("\nOptions:\n", stdout, StringComparison.Ordinal);
        Assert.Contains("  -h, --help ", stdout, StringComparison.Ordinal);
        CliCommand command = Find(path);
        foreach (CliOption option in command.Options)
        {
            string entry = "  " + option.Name + (option.IsFlag ? " " : " " + option.ValueName + " ");
            if (option.Hidden)
            {
                Assert.DoesNotContain(entry, stdout, StringComparison.Ordinal);
            }
            else
            {
                Assert.Contains(entry, stdout, StringComparison.Ordinal);
            }
        }
        foreach (CliCommand sub in command.Commands)
        {
            Assert.Equal(!sub.Hidden, stdout.Contains("\n  " + sub.Name + " ", StringComparison.Ordinal));
        }
        // help2man and terminals: no line wider than 80 columns.
        Assert.All(stdout.Split('\n'), line => Assert.True(line.Length <= 80, $"too wide ({line.Length}): {line}"));
    }

    [Theory]
    [InlineData("-h")]
    [InlineData("-?")]
    [InlineData("--help")]
    public void Every_help_spelling_works_and_also_after_other_options(string spelling)
    {
        var (exitCode, stdout, _) = Run("topology", "--json", spelling);
        Assert.Equal(0, exitCode);
        Assert.StartsWith("Usage: resmgrlite topology [OPTION]...\n", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Root_help_lists_the_commands_but_not_the_hidden_debug_tools()
    {
        var (exitCode, stdout, _) = Run("--help");
        Assert.Equal(0, exitCode);
        Assert.StartsWith("Usage: resmgrlite [COMMAND] [OPTION]...\n", stdout, StringComparison.Ordinal);
        foreach (string command in new[] { "run", "topology", "validate", "conformance" })
        {
            Assert.Contains($"\n  {command} ", stdout, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("debug", stdout, StringComparison.Ordinal);
        Assert.Contains("  --version ", stdout, StringComparison.Ordinal);
        Assert.Contains("Exit status:", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void No_arguments_outside_a_runtime_print_the_root_help()
    {
        var (exitCode, stdout, stderr) = Run();
        Assert.Equal(0, exitCode);
        Assert.Empty(stderr);
        Assert.Equal(Run("--help").Stdout, stdout);
    }

    [Fact]
    public void Version_is_semver_with_the_commit()
    {
        var (exitCode, stdout, _) = Run("--version");
        Assert.Equal(0, exitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+(\+[0-9a-f]+)?\n$", stdout.Replace("\r", "", StringComparison.Ordinal));
    }

    [Fact]
    public void Conformance_cpu_help_documents_the_json_lines_format()
    {
        var (_, stdout, _) = Run("conformance", "cpu", "--help");
        foreach (string field in new[] { "\"topology\"", "topology.cpus", "available", "count", "strategy", "groupSize", "sorting", "preferAlignByUncoreCache", "uncore", "\"result\"", "\"error\"" })
        {
            Assert.Contains(field, stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Run_help_lists_what_the_end_to_end_tests_pass()
    {
        var (_, stdout, _) = Run("run", "--help");
        foreach (string option in new[] { "--socket PATH", "--name NAME", "--idx NN", "--config FILE", "--log-file FILE", "--log-level LEVEL" })
        {
            Assert.Contains(option, stdout, StringComparison.Ordinal);
        }
        Assert.Contains("(default: /var/run/nri/nri.sock)", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("--sysfs", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "bogus" }, "resmgrlite: unknown command 'bogus' (the commands are: run, topology, validate, conformance)")]
    [InlineData(new[] { "conformance", "gpu" }, "resmgrlite conformance: unknown command 'gpu' (the commands are: cpu)")]
    [InlineData(new[] { "topology", "--bogus" }, "resmgrlite topology: unknown option '--bogus'")]
    [InlineData(new[] { "topology", "-j" }, "resmgrlite topology: unknown option '-j'")]
    [InlineData(new[] { "topology", "extra" }, "resmgrlite topology: unexpected argument 'extra': this command takes only options")]
    [InlineData(new[] { "topology", "--json=yes" }, "resmgrlite topology: --json is a flag and takes no value")]
    [InlineData(new[] { "topology", "--sysfs", "/a", "--sysfs", "/b" }, "resmgrlite topology: --sysfs is given more than once")]
    [InlineData(new[] { "validate", "--config" }, "resmgrlite validate: --config needs a value (--config FILE; use --config=VALUE for a value that starts with --)")]
    [InlineData(new[] { "validate", "--config", "--sysfs", "/sys" }, "resmgrlite validate: --config needs a value")]
    [InlineData(new[] { "validate", "--config", "" }, "resmgrlite validate: --config needs a file name; the empty string names no file")]
    [InlineData(new[] { "validate", "--config=" }, "resmgrlite validate: --config needs a file name; the empty string names no file")]
    [InlineData(new[] { "run", "--config", "" }, "resmgrlite run: --config needs a file name; the empty string names no file")]
    [InlineData(new[] { "run", "--idx", "1" }, "resmgrlite run: --idx must be exactly two digits, e.g. 90")]
    [InlineData(new[] { "run", "--name", "a b" }, "resmgrlite run: --name must be non-empty and use only [a-zA-Z0-9_.+-]")]
    [InlineData(new[] { "run", "--log-level", "loud" }, "resmgrlite run: --log-level must be debug, info, warning or error")]
    [InlineData(new[] { "conformance" }, "resmgrlite conformance: a command is missing (one of: cpu)")]
    [InlineData(new[] { "debug" }, "resmgrlite debug: a command is missing (one of: toml-decode)")]
    [InlineData(new[] { "--version", "topology" }, "resmgrlite: unknown command 'topology'")]
    [InlineData(new[] { "run", "--version" }, "resmgrlite run: unknown option '--version'")]
    public void Wrong_usage_is_one_sentence_on_stderr_and_exit_status_2(string[] args, string message)
    {
        var (exitCode, stdout, stderr) = Run(args);
        Assert.Equal(CliParser.UsageError, exitCode);
        Assert.Empty(stdout);
        Assert.StartsWith(message, stderr, StringComparison.Ordinal);
        Assert.Contains("--help' for the usage.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Topology_reads_the_given_sysfs_in_both_value_spellings()
    {
        using SysfsTree tree = SysfsFixtures.TwoCpuHybridHost().WriteTree();

        var separate = Run("topology", "--sysfs", tree.SysfsRoot, "--proc", tree.ProcRoot, "--json");
        var joined = Run("topology", $"--sysfs={tree.SysfsRoot}", $"--proc={tree.ProcRoot}", "--json");

        Assert.Equal(0, separate.ExitCode);
        Assert.Empty(separate.Stderr);
        Assert.StartsWith("{", separate.Stdout, StringComparison.Ordinal);
        Assert.Equal(separate.Stdout, joined.Stdout);
        Assert.StartsWith("Machine: 1 socket", Run("topology", "--sysfs", tree.SysfsRoot, "--proc", tree.ProcRoot).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_checks_the_given_file_against_the_given_machine()
    {
        using SysfsTree tree = SysfsFixtures.TwoCpuHybridHost().WriteTree();
        string good = Path.Combine(tree.Root, "good.toml");
        File.WriteAllText(good, "[cpuManager]\npolicy = \"static\"\nreservedSystemCPUs = \"0\"\n");
        string bad = Path.Combine(tree.Root, "bad.toml");
        File.WriteAllText(bad, "[cpuManager]\npolicy = \"static\"\nreservedSystemCPUs = \"7\"\n");

        var valid = Run("validate", "--config", good, "--sysfs", tree.SysfsRoot);
        var invalid = Run("validate", "--sysfs", tree.SysfsRoot, "--config", bad);

        Assert.True(valid.ExitCode == 0, valid.Stdout + valid.Stderr);
        Assert.Equal(1, invalid.ExitCode);
        Assert.Contains("bad.toml:3:", invalid.Stdout + invalid.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_of_an_unreadable_machine_is_a_failure_not_a_usage_error()
    {
        using SysfsTree tree = SysfsTree.CreateEmpty();
        var (exitCode, _, stderr) = Run("validate", "--sysfs", tree.SysfsRoot);
        Assert.Equal(1, exitCode);
        Assert.StartsWith("resmgrlite validate: cannot read the machine: ", stderr, StringComparison.Ordinal);
    }
}
