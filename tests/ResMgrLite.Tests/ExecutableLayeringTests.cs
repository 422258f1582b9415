using System.Text.RegularExpressions;
using ResMgrLite.TestSupport;

namespace ResMgrLite.Tests;

/// <summary>
/// The executable talks to the engine through its facade (decisions and their effects), never
/// through the CPU manager's tables: the names below belong inside the engine only.
/// </summary>
public sealed partial class ExecutableLayeringTests
{
    private static readonly string[] EngineInternals = ["StaticCpuPolicy", "ContainerCpuEntry", "CpuAssignmentKind"];

    [GeneratedRegex(@"\b(StaticCpuPolicy|ContainerCpuEntry|CpuAssignmentKind)\b")]
    private static partial Regex EngineInternalName();

    private static List<string> Mentions(string directory) =>
        Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Line: i + 1, Text: line)))
            .Where(l => EngineInternalName().IsMatch(l.Text))
            .Select(l => $"{Path.GetRelativePath(RepoPaths.Root, l.File)}:{l.Line}: {l.Text.Trim()}")
            .ToList();

    [Fact]
    public void The_executable_names_no_cpu_manager_internals()
    {
        List<string> mentions = Mentions(Path.Combine(RepoPaths.Root, "src", "ResMgrLite"));
        Assert.True(mentions.Count == 0, "the executable reaches into the CPU manager:\n" + string.Join("\n", mentions));
    }

    [Fact]
    public void The_scan_finds_the_names_where_they_live()
    {
        // The same scan over the engine must see every name, or the test above proves nothing.
        List<string> mentions = Mentions(Path.Combine(RepoPaths.Root, "src", "ResMgrLite.Engine", "Cpu"));
        foreach (string name in EngineInternals)
        {
            Assert.Contains(mentions, m => m.Contains(name, StringComparison.Ordinal));
        }
    }
}
