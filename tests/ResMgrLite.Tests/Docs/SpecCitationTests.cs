using ResMgrLite.TestSupport;

namespace ResMgrLite.Tests.Docs;

/// <summary>
/// Section citations in src/ and tests/ resolve to a heading of docs/kubelet-rules.md or
/// docs/nri-rules.md (the rule is described on <see cref="SpecCitations"/>). The section sign is
/// written as an escape in this file so that the file does not cite anything itself.
/// </summary>
public sealed class SpecCitationTests
{
    private const string S = "\u00A7";

    /// <summary>Third-party data in which the section sign is just a character.</summary>
    private static readonly string[] NotComments = ["TomlTestData"];

    private static Dictionary<string, HashSet<string>> RealSections() =>
        SpecCitations.Documents.ToDictionary(
            d => d,
            d => SpecCitations.SectionsOf(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", d))),
            StringComparer.Ordinal);

    [Fact]
    public void Every_citation_in_src_and_tests_resolves_to_a_documented_section()
    {
        Dictionary<string, HashSet<string>> sections = RealSections();
        var problems = new List<string>();
        int citingFiles = 0;
        foreach (string top in new[] { "src", "tests" })
        {
            foreach (string file in SourceFiles(Path.Combine(RepoPaths.Root, top)))
            {
                string text = File.ReadAllText(file);
                if (!text.Contains(S, StringComparison.Ordinal) && !text.Contains(".md", StringComparison.Ordinal))
                {
                    continue;
                }
                citingFiles += text.Contains(S, StringComparison.Ordinal) ? 1 : 0;
                problems.AddRange(SpecCitations.Problems(Path.GetRelativePath(RepoPaths.Root, file), text, sections));
            }
        }
        Assert.True(citingFiles > 50, $"only {citingFiles} files with citations found: is the scan looking in the right place?");
        Assert.True(problems.Count == 0,
            $"{problems.Count} citations do not resolve (run tests/tools/rewrite-citations.py first if they name the old spec files):\n"
            + string.Join('\n', problems.Take(60)));
    }

    [Fact]
    public void The_documents_number_their_sections_like_the_code_cites_them()
    {
        Dictionary<string, HashSet<string>> sections = RealSections();
        Assert.Contains("3.7", sections["kubelet-rules.md"]);
        Assert.Contains("11", sections["kubelet-rules.md"]);
        Assert.Contains("2.4", sections["nri-rules.md"]);
        Assert.Contains("8.5", sections["nri-rules.md"]);
    }

    private static readonly Dictionary<string, HashSet<string>> Sample = new(StringComparer.Ordinal)
    {
        ["kubelet-rules.md"] = ["3", "3.7"],
        ["nri-rules.md"] = ["2.4"],
    };

    public static TheoryData<string, string?> Cases => new()
    {
        { $"// see docs/kubelet-rules.md {S}3.7", null },
        { $"// docs/kubelet-rules.md {S}3\n// later {S}3.7 again", null },
        { $"// docs/kubelet-rules.md {S}3.8", "is not a section of docs/kubelet-rules.md" },
        { $"// a bare {S}3.7", "the file names none" },
        { $"// docs/kubelet-rules.md {S}3.7 and docs/nri-rules.md {S}2.4", null },
        { $"// docs/kubelet-rules.md {S}3.7\n// docs/nri-rules.md {S}2.4\n// bare {S}3.7", "ambiguous" },
        { $"// docs/nri-rules.md {S}3.7", "is not a section of docs/nri-rules.md" },
        { $"// docs/kubelet-rules.md {S}3.7, {S}2.4", "is not a section of docs/kubelet-rules.md" },
        { $"// docs/kubelet-rules.md {S}3\n// (spec {S}3.7)", "cites \"spec\"" },
        { "// spec/resource-" + "managers.md, no section", "not in the repository" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_rule_accepts_and_refuses_what_it_says(string text, string? expectedProblem)
    {
        string[] problems = SpecCitations.Problems("x.cs", text, Sample).ToArray();
        if (expectedProblem is null)
        {
            Assert.Empty(problems);
        }
        else
        {
            Assert.Contains(problems, p => p.Contains(expectedProblem, StringComparison.Ordinal));
        }
    }

    private static IEnumerable<string> SourceFiles(string root)
    {
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            string dir = pending.Pop();
            foreach (string sub in Directory.EnumerateDirectories(dir))
            {
                string name = Path.GetFileName(sub);
                if (name is "bin" or "obj" || name.StartsWith('.') || NotComments.Contains(name))
                {
                    continue;
                }
                pending.Push(sub);
            }
            foreach (string file in Directory.EnumerateFiles(dir))
            {
                if (!IsBinary(file))
                {
                    yield return file;
                }
            }
        }
    }

    private static bool IsBinary(string file)
    {
        Span<byte> head = stackalloc byte[4096];
        using FileStream stream = File.OpenRead(file);
        int read = stream.Read(head);
        return head[..read].Contains((byte)0);
    }
}
