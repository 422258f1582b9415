using System.Diagnostics;
using System.Runtime.InteropServices;
using ResMgrLite.TestSupport;
using ResMgrLite.TestSupport.FakeNri;
using ResMgrLite.TestSupport.HostFiles;

namespace ResMgrLite.Tests.Plugin;

/// <summary>
/// The published binary started wrongly: a runtime that went away before registration, and
/// <c>resmgrlite run</c> pointed at things that are not there. Each fault is one worded line and a
/// clear exit code, never an exception text.
/// </summary>
public sealed class StartupFaultTests : IDisposable
{
    private const int SignalTerminate = 15;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _directory = Directory.CreateTempSubdirectory("startup-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string Binary
    {
        get
        {
            string binary = RepoPaths.PublishedBinary;
            Assert.True(File.Exists(binary), $"published binary {binary} is missing: run ./build.sh first or set RESMGRLITE_BINARY");
            return binary;
        }
    }

    [Fact]
    public async Task Pre_launched_on_a_socket_whose_peer_already_closed_exits_non_zero()
    {
        (int runtimeFd, int pluginFd) = SocketPair.CreateDescriptors(closeOnExec: false);
        SocketPair.FromDescriptor(runtimeFd).Dispose();

        // What containerd does: the socket as fd 3 and only the three NRI variables (docs/nri-rules.md §1.3).
        var start = new ProcessStartInfo("/bin/bash")
        {
            ArgumentList = { "-c", "exec \"$0\" 3<&\"$1\"", Binary, pluginFd.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Clear();
        start.Environment["NRI_PLUGIN_NAME"] = "resmgrlite";
        start.Environment["NRI_PLUGIN_IDX"] = "90";
        start.Environment["NRI_PLUGIN_SOCKET"] = "3";
        using Process plugin = Process.Start(start)!;
        SocketPair.FromDescriptor(pluginFd).Dispose();
        string output = await plugin.StandardOutput.ReadToEndAsync() + await plugin.StandardError.ReadToEndAsync();
        await plugin.WaitForExitAsync().WaitAsync(Wait);

        Assert.Equal(1, plugin.ExitCode);
        Assert.Equal("", output);
    }

    [Theory]
    [InlineData("missing", "does not exist")]
    [InlineData("file", "is a regular file, not a socket")]
    [InlineData("directory", "is a directory, not a socket")]
    [InlineData("stale", "nothing is listening on")]
    public async Task Run_says_at_once_why_the_socket_cannot_be_reached_and_keeps_retrying(string kind, string reason)
    {
        string socket = Path.Combine(_directory, "nri.sock");
        if (kind == "file")
        {
            await File.WriteAllTextAsync(socket, "not a socket");
        }
        else if (kind == "directory")
        {
            Directory.CreateDirectory(socket);
        }
        else if (kind == "stale")
        {
            // A runtime that exited without removing its socket. .NET removes the file of a socket it
            // bound when that socket is closed, so the file is moved away from under it first.
            string bound = Path.Combine(_directory, "bound.sock");
            using (System.Net.Sockets.Socket listener = FakeNriRuntime.Listen(bound))
            {
                File.Move(bound, socket);
            }
        }

        string log = Path.Combine(_directory, "plugin.log");
        using Process plugin = Start("run", "--socket", socket, "--log-file", log);
        try
        {
            string line = await WaitForLineAsync(log, reason);
            Assert.Equal(0, kill(plugin.Id, SignalTerminate));
            await plugin.WaitForExitAsync().WaitAsync(Wait);

            Assert.Contains(kind == "stale" ? $" ERROR cannot connect to the runtime: {reason} {socket}" : $" ERROR cannot connect to the runtime: {socket} {reason}", line, StringComparison.Ordinal);
            Assert.Equal(0, plugin.ExitCode);
            string all = await File.ReadAllTextAsync(log);
            Assert.DoesNotContain("Exception", all, StringComparison.Ordinal);
            MessageText.AssertWords(all);
        }
        finally
        {
            if (!plugin.HasExited)
            {
                plugin.Kill();
            }
        }
    }

    [Fact]
    public async Task Run_with_a_configuration_file_that_does_not_exist_is_a_startup_error()
    {
        string config = Path.Combine(_directory, "nope.conf");
        using Process plugin = Start("run", "--socket", Path.Combine(_directory, "nri.sock"), "--config", config);
        string errors = await plugin.StandardError.ReadToEndAsync();
        await plugin.WaitForExitAsync().WaitAsync(Wait);

        Assert.Equal(2, plugin.ExitCode);
        Assert.Equal($"resmgrlite run: the configuration file {config} does not exist (leave --config out for the defaults)", errors.Trim());
    }

    [Theory]
    [InlineData("missing directory", "no-such-dir/plugin.log", "the directory {0}/no-such-dir does not exist")]
    [InlineData("FIFO", "fifo.log", "is a named pipe (FIFO): refused")]
    [InlineData("directory", "logs", "is a directory, not a file")]
    public async Task RunWithALogFileThatCannotBeWrittenIsAStartupError(string kind, string name, string says)
    {
        string logFile = Path.Combine(_directory, name);
        if (kind == "FIFO")
        {
            // Opening a FIFO with no reader for writing would block for ever.
            SpecialFiles.CreateFifo(logFile);
        }
        else if (kind == "directory")
        {
            Directory.CreateDirectory(logFile);
        }

        using Process plugin = Start("run", "--socket", Path.Combine(_directory, "nri.sock"), "--log-file", logFile);
        string errors = await plugin.StandardError.ReadToEndAsync().WaitAsync(Wait);
        await plugin.WaitForExitAsync().WaitAsync(Wait);

        Assert.Equal(2, plugin.ExitCode);
        Assert.StartsWith($"resmgrlite run: cannot write the log file {logFile}: ", errors, StringComparison.Ordinal);
        Assert.Contains(string.Format(System.Globalization.CultureInfo.InvariantCulture, says, _directory), errors, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_directory, "no-such-dir")));
        MessageText.AssertWords(errors);
    }

    private static Process Start(params string[] arguments)
    {
        var start = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    private static async Task<string> WaitForLineAsync(string path, string text)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < Wait)
        {
            if (File.Exists(path))
            {
                string? line = (await File.ReadAllLinesAsync(path)).FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
                if (line is not null)
                {
                    return line;
                }
            }

            await Task.Delay(50);
        }

        Assert.Fail($"no line with '{text}' in {path} within {Wait.TotalSeconds} s");
        return "";
    }

    [DllImport("libc", SetLastError = true)]
#pragma warning disable SYSLIB1054 // test-only signal helper
    private static extern int kill(int pid, int signal);
#pragma warning restore SYSLIB1054
}
