using System.Text.RegularExpressions;
using ResMgrLite.TestSupport;

namespace ResMgrLite.Engine.Tests;

/// <summary>The engine's folders depend on each other in one direction only (no circles).</summary>
public sealed partial class EngineLayeringTests
{
    private static readonly string[] Folders = ["Cpu", "Memory", "MemoryQos", "Model", "PodLevel", "State", "Topology", "TopologyManagement"];

    [GeneratedRegex(@"(?:ResMgrLite\.Engine\.|(?<![\w.]))(Cpu|Memory|MemoryQos|Model|PodLevel|State|Topology|TopologyManagement)(?:\.[A-Z]\w*|;)")]
    private static partial Regex FolderReference();

    /// <summary>Folder → the other folders its sources name (usings, qualified names, crefs).</summary>
    private static Dictionary<string, HashSet<string>> Dependencies()
    {
        string engine = Path.Combine(RepoPaths.Root, "src", "ResMgrLite.Engine");
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (string folder in Folders)
        {
            var uses = new HashSet<string>(StringComparer.Ordinal);
            foreach (string file in Directory.EnumerateFiles(Path.Combine(engine, folder), "*.cs"))
            {
                foreach (string line in File.ReadLines(file))
                {
                    string code = line.TrimStart().StartsWith("//", StringComparison.Ordinal) && !line.Contains("cref", StringComparison.Ordinal) ? "" : line;
                    foreach (Match m in FolderReference().Matches(code))
                    {
                        if (m.Groups[1].Value != folder && !line.TrimStart().StartsWith("namespace", StringComparison.Ordinal))
                        {
                            uses.Add(m.Groups[1].Value);
                        }
                    }
                }
            }
            graph[folder] = uses;
        }
        return graph;
    }

    [Fact]
    public void Engine_folders_form_no_circle()
    {
        Dictionary<string, HashSet<string>> graph = Dependencies();
        // The scan sees real edges, or finding no circle proves nothing.
        Assert.Contains("TopologyManagement", graph["Cpu"]);
        Assert.Contains("Model", graph["Memory"]);
        var circles = new List<string>();
        foreach (string from in Folders)
        {
            foreach (string to in graph[from])
            {
                if (Reaches(graph, to, from, []))
                {
                    circles.Add($"{from} → {to} → … → {from}");
                }
            }
        }
        Assert.True(circles.Count == 0, "circles between engine folders:\n" + string.Join("\n", circles));
    }

    private static bool Reaches(Dictionary<string, HashSet<string>> graph, string from, string target, HashSet<string> seen)
    {
        if (from == target)
        {
            return true;
        }
        if (!seen.Add(from) || !graph.TryGetValue(from, out HashSet<string>? next))
        {
            return false;
        }
        return next.Any(n => Reaches(graph, n, target, seen));
    }
}
