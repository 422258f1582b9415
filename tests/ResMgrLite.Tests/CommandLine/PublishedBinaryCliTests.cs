using System.Diagnostics;
using ResMgrLite.TestSupport;

namespace ResMgrLite.Tests.CommandLine;

/// <summary>
/// The command line of the published static binary: what a user or script sees (exit status,
/// stdout/stderr, stdin-driven commands), which in-process tests cannot show.
/// </summary>
public class PublishedBinaryCliTests
{
    private static (int ExitCode, string Stdout, string Stderr) Exec(string? stdin, params string[] args)
    {
        string binary = RepoPaths.PublishedBinary;
        Assert.True(File.Exists(binary), $"published binary {binary} is missing: run ./build.sh first or set RESMGRLITE_BINARY");
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        // The pre-launched fast path must not see a runtime's variables.
        start.Environment.Remove("NRI_PLUGIN_SOCKET");
        using Process process = Process.Start(start)!;
        process.StandardInput.Write(stdin ?? "");
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(30_000), $"resmgrlite {string.Join(' ', args)} did not exit");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void Usage_errors_exit_2_with_a_sentence_and_no_stack_trace()
    {
        var unknown = Exec(null, "bogus");
        Assert.Equal(2, unknown.ExitCode);
        Assert.StartsWith("resmgrlite: unknown command 'bogus'", unknown.Stderr, StringComparison.Ordinal);

        var empty = Exec(null, "validate", "--config", "");
        Assert.Equal(2, empty.ExitCode);
        Assert.StartsWith("resmgrlite validate: --config needs a file name", empty.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", empty.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_and_version_go_to_stdout_with_exit_0()
    {
        var help = Exec(null, "run", "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.StartsWith("Usage: resmgrlite run [OPTION]...", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("--log-level LEVEL", help.Stdout, StringComparison.Ordinal);

        var version = Exec(null, "--version");
        Assert.Equal(0, version.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", version.Stdout);
    }

    [Fact]
    public void Conformance_cpu_and_toml_decode_read_stdin()
    {
        string line = File.ReadLines(Path.Combine(RepoPaths.Root, "tests", "conformance", "cpu-spec9.jsonl")).First();
        var conformance = Exec(line + "\n", "conformance", "cpu");
        Assert.Equal(0, conformance.ExitCode);
        Assert.StartsWith("{\"id\":\"9.3-1\",", conformance.Stdout, StringComparison.Ordinal);

        var toml = Exec("a = 1\n", "debug", "toml-decode");
        Assert.Equal(0, toml.ExitCode);
        Assert.Contains("\"a\"", toml.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"integer\"", toml.Stdout, StringComparison.Ordinal);
    }
}
