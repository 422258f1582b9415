using System.Collections;
using System.Text.RegularExpressions;
using ResMgrLite.Commands;
using ResMgrLite.TestSupport;
using ResMgrLite.TestSupport.Sysfs;

namespace ResMgrLite.Tests.Simulate;

/// <summary>
/// The examples of docs/simulate.md are run as written, so the documentation cannot go stale: every
/// <c>$ resmgrlite simulate …</c> block's output must be what the command prints, and the example
/// machine must be what <c>resmgrlite topology --json</c> prints for its fixture. After a deliberate
/// change, RESMGRLITE_UPDATE_EXAMPLES=1 rewrites them (review the diff).
/// </summary>
public sealed partial class SimulateExamplesTests
{
    internal const string TopologyFile = "docs/examples/dual-socket-topology.json";

    private static bool Update => Environment.GetEnvironmentVariable("RESMGRLITE_UPDATE_EXAMPLES") == "1";

    private static string Docs => Path.Combine(RepoPaths.Root, "docs", "simulate.md");

    /// <summary>The example machine: 2 sockets × 16 cores × 2 threads, one NUMA node of 128 GiB per socket, 2 MiB and 1 GiB huge pages, cgroup v2.</summary>
    internal static SysfsMachine DualSocket() => new SysfsMachineBuilder()
        .Sockets(2).CoresPerSocket(16).ThreadsPerCore(2)
        .Distances(10, 11, 21)
        .MemoryPerNode(128L * 1024 * 1024, 120L * 1024 * 1024)
        .HugePages(2048, 1024, 1024).HugePages(1048576, 8, 8)
        .Build();

    [GeneratedRegex(@"```text\n\$ (resmgrlite simulate [^\n]*)\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Example();

    [Fact]
    public void The_example_machine_is_what_topology_json_prints_for_it()
    {
        using SysfsTree tree = DualSocket().WriteTree();
        using var stdout = new StringWriter();
        Assert.Equal(0, TopologyCommand.Run(tree.SysfsRoot, tree.ProcRoot, json: true, stdout, TextWriter.Null));
        string path = Path.Combine(RepoPaths.Root, TopologyFile);
        if (Update)
        {
            File.WriteAllText(path, stdout.ToString());
        }
        Assert.Equal(stdout.ToString(), File.ReadAllText(path));
    }

    [Fact]
    public void Every_example_in_the_docs_prints_what_the_docs_show()
    {
        string docs = File.ReadAllText(Docs);
        MatchCollection examples = Example().Matches(docs);
        Assert.True(examples.Count >= 3, $"docs/simulate.md shows {examples.Count} simulate examples; expected the database, the ML workload and a --json one");
        string updated = docs;
        foreach (Match example in examples)
        {
            string command = example.Groups[1].Value;
            string printed = RunAsWritten(command);
            if (Update)
            {
                updated = updated.Replace(example.Value, $"```text\n$ {command}\n{printed}```", StringComparison.Ordinal);
                continue;
            }
            Assert.True(printed == example.Groups[2].Value, $"docs/simulate.md is stale for '{command}'; it prints:\n{printed}");
        }
        if (Update)
        {
            File.WriteAllText(Docs, updated);
        }
    }

    /// <summary>Runs a documented command line in-process, with its file arguments taken from the repository root.</summary>
    internal static string RunAsWritten(string commandLine)
    {
        string[] words = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string Value(string option)
        {
            int at = Array.IndexOf(words, option);
            Assert.True(at > 0 && at + 1 < words.Length, $"'{commandLine}' lacks {option}");
            return Path.Combine(RepoPaths.Root, words[at + 1]);
        }
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exit = SimulateCommand.Run(Value("--config"), Value("--topology"), Value("--pods"), "/proc", words.Contains("--json"), new Hashtable(), stdout, stderr);
        Assert.True(exit == 0, $"'{commandLine}' failed: {stderr}");
        return stdout.ToString();
    }
}
