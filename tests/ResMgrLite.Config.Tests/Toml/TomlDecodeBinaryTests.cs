using System.Diagnostics;
using System.Text.Json;
using ResMgrLite.TestSupport;

namespace ResMgrLite.Config.Tests.Toml;

/// <summary>
/// The published binary as the upstream toml-test runner drives it: <c>resmgrlite debug
/// toml-decode</c>, TOML on stdin, tagged JSON on stdout, one process per case.
/// </summary>
public sealed class TomlDecodeBinaryTests
{
    public static TheoryData<string> ValidCases => TomlTestSuite.Cases("valid");

    public static TheoryData<string> InvalidCases => TomlTestSuite.Cases("invalid");

    [Theory]
    [MemberData(nameof(ValidCases))]
    public void Binary_decodes_valid_case(string caseName)
    {
        var (code, stdout, stderr) = Decode(TomlTestSuite.ReadInput(caseName));

        Assert.True(code == 0, stderr);
        using var expected = JsonDocument.Parse(TomlTestSuite.ReadExpectedJson(caseName));
        using var actual = JsonDocument.Parse(stdout);
        Assert.Null(TaggedJsonComparer.FindDifference(expected.RootElement, actual.RootElement));
    }

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void Binary_rejects_invalid_case(string caseName)
    {
        var (code, stdout, stderr) = Decode(TomlTestSuite.ReadInput(caseName));

        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("stdin:", stderr, StringComparison.Ordinal);
    }

    private static (int Code, string Stdout, string Stderr) Decode(byte[] input)
    {
        var start = new ProcessStartInfo(RepoPaths.PublishedBinary)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("debug");
        start.ArgumentList.Add("toml-decode");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.BaseStream.Write(input);
        process.StandardInput.Close();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(5)), "toml-decode did not finish within 5 s");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
