using ResMgrLite.TestSupport;

namespace ResMgrLite.Config.Tests.Toml;

/// <summary>The copied toml-test 1.0.0 data (TomlTestData/README.md says where it comes from).</summary>
internal static class TomlTestSuite
{
    public static string DataDirectory => Path.Combine(RepoPaths.Root, "tests", "ResMgrLite.Config.Tests", "TomlTestData");

    /// <summary>Case names relative to the data folder without extension, e.g. "valid/string/escapes".</summary>
    public static IEnumerable<string> CaseNames(string group) =>
        Directory.EnumerateFiles(Path.Combine(DataDirectory, group), "*.toml", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(DataDirectory, path)[..^".toml".Length].Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

    public static TheoryData<string> Cases(string group)
    {
        var data = new TheoryData<string>();
        foreach (string name in CaseNames(group))
        {
            data.Add(name);
        }

        return data;
    }

    public static byte[] ReadInput(string caseName) => File.ReadAllBytes(Path.Combine(DataDirectory, caseName + ".toml"));

    public static string ReadExpectedJson(string caseName) => File.ReadAllText(Path.Combine(DataDirectory, caseName + ".json"));
}
