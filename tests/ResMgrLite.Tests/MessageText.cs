using System.Text.RegularExpressions;

namespace ResMgrLite.Tests;

/// <summary>
/// What a user may read: the project's words. Flags .NET resource keys (<c>IO_PathNotFound_Path</c>,
/// <c>Arg_ParamName_Name</c>: a capital, letters, an underscore, letters and underscores) and stack
/// traces. All-capital words with underscores are environment variable names, which are fine.
/// </summary>
internal static partial class MessageText
{
    [GeneratedRegex("^[A-Z][A-Za-z]+_[A-Za-z_]+$")]
    private static partial Regex ResourceKeyShape();

    public static IEnumerable<string> Problems(string text)
    {
        foreach (string line in text.Split('\n'))
        {
            string trimmed = line.Trim();
            if (trimmed.StartsWith("at ", StringComparison.Ordinal) && (trimmed.Contains("<unknown>", StringComparison.Ordinal) || trimmed.Contains('(', StringComparison.Ordinal)))
            {
                yield return $"stack trace line: {trimmed}";
            }
            if (trimmed.Contains("Unhandled exception", StringComparison.OrdinalIgnoreCase))
            {
                yield return $"unhandled exception: {trimmed}";
            }
            foreach (string raw in trimmed.Split((char[])[' ', '\t', ',', ';', '(', ')', '\'', '"', '[', ']'], StringSplitOptions.RemoveEmptyEntries))
            {
                string word = raw.Trim('.', ':');
                if (ResourceKeyShape().IsMatch(word) && word.ToUpperInvariant() != word)
                {
                    yield return $"resource key \"{word}\" in: {trimmed}";
                }
            }
        }
    }

    public static void AssertWords(string text)
    {
        List<string> problems = [.. Problems(text)];
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }
}
