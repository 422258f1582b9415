using System.Diagnostics;
using System.Text.RegularExpressions;
using ResMgrLite.TestSupport;

namespace ResMgrLite.Tests.Simulate;

/// <summary>The documented database example under the published static binary prints what the in-process run prints (and so what docs/simulate.md shows).</summary>
public sealed class PublishedSimulateTests
{
    [Fact]
    public async Task The_published_binary_runs_the_documented_database_example()
    {
        string binary = RepoPaths.PublishedBinary;
        Assert.True(File.Exists(binary), $"published binary {binary} is missing: run ./build.sh first or set RESMGRLITE_BINARY");
        string command = Regex.Match(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "simulate.md")), @"\$ (resmgrlite simulate [^\n]*database-pods\.json)\n").Groups[1].Value;
        Assert.NotEmpty(command);
        var start = new ProcessStartInfo(binary)
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string word in command.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            start.ArgumentList.Add(word);
        }
        start.Environment.Remove("NRI_PLUGIN_SOCKET");
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = await process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(30_000), "resmgrlite simulate did not exit");
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {stderr}");
        Assert.Equal(SimulateExamplesTests.RunAsWritten(command), await stdout);
    }
}
