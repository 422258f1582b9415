using System.Text.Json;
using ResMgrLite.Config.Toml;

namespace ResMgrLite.Config.Tests.Toml;

/// <summary>
/// Every toml-test 1.0.0 case, one theory row per file: valid cases must produce exactly the
/// expected tagged JSON, invalid cases must be rejected with a TomlException, quickly. No exclusions.
/// </summary>
public sealed class TomlConformanceTests
{
    private static readonly TimeSpan PerCaseLimit = TimeSpan.FromSeconds(5);

    public static TheoryData<string> ValidCases => TomlTestSuite.Cases("valid");

    public static TheoryData<string> InvalidCases => TomlTestSuite.Cases("invalid");

    [Theory]
    [MemberData(nameof(ValidCases))]
    public void Valid_case_decodes_to_the_expected_tagged_json(string caseName)
    {
        byte[] input = TomlTestSuite.ReadInput(caseName);
        var document = RunBounded(() => TomlDocument.Parse(input, caseName));

        using var expected = JsonDocument.Parse(TomlTestSuite.ReadExpectedJson(caseName));
        using var actual = JsonDocument.Parse(TomlTaggedJson.ToJson(document));
        string? difference = TaggedJsonComparer.FindDifference(expected.RootElement, actual.RootElement);
        Assert.Null(difference);
    }

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void Invalid_case_is_rejected_with_a_positioned_TomlException(string caseName)
    {
        byte[] input = TomlTestSuite.ReadInput(caseName);
        var exception = RunBounded(() => Record.Exception(() => TomlDocument.Parse(input, caseName)));

        var tomlException = Assert.IsType<TomlException>(exception);
        Assert.True(tomlException.Position.Line >= 1 && tomlException.Position.Column >= 1, tomlException.Message);
        Assert.StartsWith($"{caseName}:{tomlException.Position.Line}:{tomlException.Position.Column}: ", tomlException.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Data_folder_holds_exactly_the_files_named_in_the_1_0_0_manifest()
    {
        var manifest = File.ReadAllLines(Path.Combine(TomlTestSuite.DataDirectory, "files-toml-1.0.0"))
            .Where(line => line.Length > 0)
            .Order(StringComparer.Ordinal)
            .ToList();
        var onDisk = Directory.EnumerateFiles(TomlTestSuite.DataDirectory, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(TomlTestSuite.DataDirectory, path).Replace('\\', '/'))
            .Where(path => path.StartsWith("valid/", StringComparison.Ordinal) || path.StartsWith("invalid/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(manifest, onDisk);
        Assert.Equal(210, TomlTestSuite.CaseNames("valid").Count());
        Assert.Equal(499, TomlTestSuite.CaseNames("invalid").Count());
    }

    private static T RunBounded<T>(Func<T> work)
    {
        var task = Task.Run(work);
        Assert.True(task.Wait(PerCaseLimit), $"parsing took longer than {PerCaseLimit.TotalSeconds} s");
        return task.Result;
    }
}
