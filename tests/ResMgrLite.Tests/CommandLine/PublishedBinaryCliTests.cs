using System.Diagnostics;
using ResMgrLite.TestSupport;

namespace ResMgrLite.Tests.CommandLine;

/// <summary>
/// The command line of the published static binary: what a user or script sees (exit status,
/// stdout/stderr, stdin-driven commands), which in-process tests cannot show.
/// </summary>
public class PublishedBinaryCliTests
{
    private static (int ExitCode, string Stdout, string Stderr) Exec(string? stdin, params string[] args) =>
        Exec(stdin, clearEnvironment: false, args);

    private static (int ExitCode, string Stdout, string Stderr) Exec(string? stdin, bool clearEnvironment, params string[] args)
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
        if (clearEnvironment)
        {
            start.Environment.Clear();
        }
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
    public void Output_to_a_reader_that_went_away_or_a_closed_stdout_is_not_an_error()
    {
        string binary = RepoPaths.PublishedBinary;
        Assert.True(File.Exists(binary), $"published binary {binary} is missing: run ./build.sh first or set RESMGRLITE_BINARY");
        // A pipe whose reader exited before the help is written (EPIPE), and no stdout at all: both
        // exit 0 with nothing on stderr, as with System.Console.
        foreach (string script in new[]
        {
            "{ sleep 0.3; \"$0\" --help; echo \"exit $?\" >&2; } | true",
            "\"$0\" --help >&-; echo \"exit $?\" >&2",
        })
        {
            var start = new ProcessStartInfo("/bin/sh") { RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(binary);
            start.Environment.Remove("NRI_PLUGIN_SOCKET");
            using Process process = Process.Start(start)!;
            string stderr = process.StandardError.ReadToEnd();
            Assert.True(process.WaitForExit(30_000), $"{script} did not exit");
            Assert.Equal("exit 0\n", stderr);
        }
    }

    [Fact]
    public void Output_into_a_file_the_shell_also_writes_lands_after_what_came_before()
    {
        string binary = RepoPaths.PublishedBinary;
        Assert.True(File.Exists(binary), $"published binary {binary} is missing: run ./build.sh first or set RESMGRLITE_BINARY");
        string file = Path.Combine(Path.GetTempPath(), $"resmgrlite-stdout-{Environment.ProcessId}-{Guid.NewGuid():N}.txt");
        try
        {
            // One open file description shared by the shell and the binary (stdout and stderr): each
            // write must go where the shared offset is, not at a position the binary tracked itself.
            var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("{ echo before; \"$0\" --version; echo between; \"$0\" bogus 2>&1; echo after; } > \"$1\"");
            start.ArgumentList.Add(binary);
            start.ArgumentList.Add(file);
            start.Environment.Remove("NRI_PLUGIN_SOCKET");
            using Process process = Process.Start(start)!;
            Assert.True(process.WaitForExit(30_000), "the shell did not exit");
            string[] lines = File.ReadAllLines(file);
            Assert.Equal("before", lines[0]);
            Assert.Matches(@"^\d+\.\d+\.\d+", lines[1]);
            Assert.Equal("between", lines[2]);
            Assert.StartsWith("resmgrlite: unknown command 'bogus'", lines[3], StringComparison.Ordinal);
            Assert.Equal("after", lines[^1]);
        }
        finally
        {
            File.Delete(file);
        }
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

    [Fact]
    public void The_gc_settings_baked_into_the_binary_apply_without_any_environment()
    {
        // containerd starts a pre-launched plugin with only the NRI_PLUGIN_* variables: the GC
        // settings must come from the binary itself.
        var (exitCode, stdout, _) = Exec(null, clearEnvironment: true, "debug", "gc-config");
        Assert.Equal(0, exitCode);
        Assert.Contains("GCGen0MaxBudget = 524288\n", stdout, StringComparison.Ordinal);
        Assert.Contains("ConcurrentGC = False\n", stdout, StringComparison.Ordinal);
        Assert.Contains("ServerGC = False\n", stdout, StringComparison.Ordinal);
    }
}
