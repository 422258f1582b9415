using System.CommandLine;
using ResMgrLite.Commands;

namespace ResMgrLite;

/// <summary>The command line (System.CommandLine). Each command's work lives in Commands/.</summary>
internal static class Cli
{
    public static RootCommand Build()
    {
        var root = new RootCommand(
            "ResMgrLite: kubelet-grade CPU, memory and topology management as a containerd NRI plugin.\n" +
            "containerd runs it as a pre-launched plugin (no arguments); 'run' connects as an external plugin.");

        root.Add(ConformanceCommand());
        root.SetAction(_ =>
        {
            // No command and no NRI environment: show what the binary can do.
            return root.Parse("--help").Invoke();
        });
        return root;
    }

    private static Command ConformanceCommand()
    {
        var cpu = new Command("cpu", "Run take-by-topology cases (JSON Lines on stdin) through the CPU allocator; one JSON line out per case.");
        cpu.SetAction(_ => ConformanceCpuCommand.Run(Console.In, Console.Out));
        var conformance = new Command("conformance", "Machine-readable checks of the engine against reference answers.") { cpu };
        return conformance;
    }
}
