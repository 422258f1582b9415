using System.Text.RegularExpressions;

namespace ResMgrLite.Tests.Docs;

/// <summary>
/// The rule that keeps section citations in comments readable: every citation (the section sign
/// followed by a number such as 3.7) must lead to a numbered heading of docs/kubelet-rules.md or
/// docs/nri-rules.md.
/// </summary>
/// <remarks>
/// Which document a citation means: the document named last before it on the same line; without
/// one, the only document the file names anywhere. A file naming both documents must therefore
/// name the document on every line that cites, and a file naming neither cannot cite. The names of
/// the old specification files (not in the repository) and the bare word "spec" before a citation
/// are reported as well: they are what tests/tools/rewrite-citations.py replaces.
/// </remarks>
internal static partial class SpecCitations
{
    /// <summary>The documents citations may point to, by file name (with or without "docs/").</summary>
    public static readonly string[] Documents = ["kubelet-rules.md", "nri-rules.md"];

    [GeneratedRegex(@"\u00A7\s*(\d+(?:\.\d+)*)")]
    private static partial Regex Citation();

    [GeneratedRegex(@"(kubelet-rules|nri-rules)\.md")]
    private static partial Regex DocumentName();

    [GeneratedRegex(@"(resource-managers|nri-protocol)\.md")]
    private static partial Regex OldSpecificationName();

    [GeneratedRegex(@"\bspec\s*\u00A7")]
    private static partial Regex SpecWordCitation();

    [GeneratedRegex(@"^#{1,6}\s+(\d+(?:\.\d+)*)\.?\s", RegexOptions.Multiline)]
    private static partial Regex NumberedHeading();

    /// <summary>The section numbers of a document's headings ("## 3." gives 3, "### 3.7 ..." gives 3.7).</summary>
    public static HashSet<string> SectionsOf(string markdown) =>
        NumberedHeading().Matches(markdown).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

    /// <summary>Every citation problem of one file, as "path:line: what is wrong".</summary>
    public static IEnumerable<string> Problems(string path, string text, IReadOnlyDictionary<string, HashSet<string>> sectionsByDocument)
    {
        string[] named = DocumentName().Matches(text).Select(m => m.Value).Distinct(StringComparer.Ordinal).ToArray();
        string? fileDocument = named.Length == 1 ? named[0] : null;
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            string where = $"{path}:{i + 1}";
            foreach (Match old in OldSpecificationName().Matches(line))
            {
                yield return $"{where}: names {old.Value}, which is not in the repository; cite docs/kubelet-rules.md or docs/nri-rules.md";
            }
            if (SpecWordCitation().IsMatch(line))
            {
                yield return $"{where}: cites \"spec\"; name the document instead";
            }
            MatchCollection onLine = DocumentName().Matches(line);
            foreach (Match citation in Citation().Matches(line))
            {
                string section = citation.Groups[1].Value;
                string? document = onLine.LastOrDefault(d => d.Index < citation.Index)?.Value ?? fileDocument;
                if (document is null)
                {
                    yield return named.Length == 0
                        ? $"{where}: {citation.Value} names no document, and the file names none (write docs/kubelet-rules.md {citation.Value} or docs/nri-rules.md {citation.Value} once)"
                        : $"{where}: {citation.Value} is ambiguous: the file names both documents, so name one on this line";
                    continue;
                }
                if (!sectionsByDocument[document].Contains(section))
                {
                    yield return $"{where}: {citation.Value} is not a section of docs/{document}";
                }
            }
        }
    }
}
