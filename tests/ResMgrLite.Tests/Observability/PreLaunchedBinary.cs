using System.Diagnostics;
using System.Runtime.InteropServices;
using ResMgrLite.TestSupport;
using ResMgrLite.TestSupport.FakeNri;

namespace ResMgrLite.Tests.Observability;

/// <summary>
/// The published binary started the way containerd starts a pre-launched plugin: no arguments, one
/// end of a socketpair as fd 3, and an environment of exactly NRI_PLUGIN_NAME, NRI_PLUGIN_IDX and
/// NRI_PLUGIN_SOCKET (docs/nri-rules.md §1.3). stdout and stderr are captured here (containerd
/// 1.7 would give /dev/null) so the stderr target can be checked.
/// </summary>
internal sealed class PreLaunchedBinary : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;

    private PreLaunchedBinary(Process process, FakeNriRuntime runtime)
    {
        _process = process;
        Runtime = runtime;
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public FakeNriRuntime Runtime { get; }

    public int ProcessId => _process.Id;

    public static PreLaunchedBinary Start()
    {
        string binary = RepoPaths.PublishedBinary;
        Assert.True(File.Exists(binary), $"published binary {binary} is missing: run ./build.sh first or set RESMGRLITE_BINARY");
        (int runtimeFd, int pluginFd) = SocketPair.CreateDescriptors();
        // The pair is close-on-exec; a dup is not, so bash (dash takes only one-digit fds) inherits it and moves it to fd 3.
        int inheritable = dup(pluginFd);
        Assert.True(inheritable >= 0, "dup failed");
        var start = new ProcessStartInfo("/bin/bash")
        {
            ArgumentList = { "-c", $"exec 3<&{inheritable} {inheritable}<&-; exec \"$0\"", binary },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment.Clear();
        start.Environment["NRI_PLUGIN_NAME"] = "resmgrlite";
        start.Environment["NRI_PLUGIN_IDX"] = "90";
        start.Environment["NRI_PLUGIN_SOCKET"] = "3";
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        finally
        {
            close(inheritable);
            close(pluginFd);
        }
        return new PreLaunchedBinary(process, FakeNriRuntime.Attach(SocketPair.FromDescriptor(runtimeFd)));
    }

    /// <summary>Closes the runtime's end (containerd going away) and returns the exit code and everything written to stderr.</summary>
    public async Task<(int ExitCode, string Stderr)> StopAsync()
    {
        Runtime.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _process.WaitForExitAsync(timeout.Token);
        return (_process.ExitCode, await _stderr);
    }

    public async ValueTask DisposeAsync()
    {
        await Runtime.DisposeAsync();
        if (!_process.HasExited)
        {
            _process.Kill();
        }
        _process.Dispose();
    }

#pragma warning disable SYSLIB1054 // test-only helpers; plain ints need no marshalling code
    [DllImport("libc", SetLastError = true)]
    private static extern int dup(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
#pragma warning restore SYSLIB1054
}
