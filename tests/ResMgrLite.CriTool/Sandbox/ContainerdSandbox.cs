using System.Globalization;
using ResMgrLite.CriTool.Cgroups;
using ResMgrLite.CriTool.Cri;
using ResMgrLite.CriTool.Kube;

namespace ResMgrLite.CriTool.Sandbox;

/// <summary>
/// One private containerd (tests/e2e/sandbox.sh; 2.1.9 or 1.7.24) with a CRI client and pod driver.
/// Disposing removes every pod, stops containerd and its shims, unmounts and deletes the
/// sandbox directory, whatever state the test left it in.
/// </summary>
internal sealed class ContainerdSandbox : IAsyncDisposable
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Older than any test or demo can run: such a sandbox was left by a killed run.</summary>
    private static readonly TimeSpan StaleAge = TimeSpan.FromMinutes(30);

    private static int s_staleSandboxesSwept;

    private readonly E2eEnvironment _environment;
    private readonly CriClient _cri;
    private bool _disposed;

    private ContainerdSandbox(E2eEnvironment environment, string directory, ContainerdRuntime runtime)
    {
        _environment = environment;
        Directory = directory;
        Runtime = runtime;
        _cri = new CriClient(Path.Combine(directory, "containerd.sock"));
        Pods = new PodDriver(_cri, environment.WorkloadImage, Path.Combine(directory, "logs"), HostFacts.MemoryCapacityBytes(),
            Path.Combine(directory, "pod-cgroups"));
    }

    public string Directory { get; }

    public ContainerdRuntime Runtime { get; }

    /// <summary>The configuration sandbox.sh wrote, in the runtime's own format.</summary>
    public string ConfigPath => Path.Combine(Directory, "config.toml");

    public string NriSocketPath => Path.Combine(Directory, "nri", "nri.sock");

    public string PluginDirectory => Path.Combine(Directory, "nri", "plugins");

    public string PluginConfigDirectory => Path.Combine(Directory, "nri", "conf.d");

    public string ContainerdLogPath => Path.Combine(Directory, "containerd.log");

    /// <summary>Where plugins of this sandbox are told to log (removed with the sandbox).</summary>
    public string PluginLogPath => Path.Combine(Directory, "resmgrlite.log");

    public PodDriver Pods { get; }

    public CgroupReader Cgroups { get; } = new();

    public static async Task<ContainerdSandbox> StartAsync(E2eEnvironment environment, SandboxOptions options, CancellationToken cancellationToken)
    {
        if (environment.NotRunnableReason is { } reason)
        {
            throw new InvalidOperationException(reason);
        }

        if (Interlocked.Exchange(ref s_staleSandboxesSwept, 1) == 0)
        {
            await Task.Run(() => SweepStaleSandboxes(environment), cancellationToken);
        }

        var suffix = Guid.NewGuid().ToString("N")[..8];
        var directory = Path.Combine(E2eEnvironment.SandboxRoot, $"{options.Name}-{suffix}");
        var runtime = options.Runtime ?? ContainerdRuntime.Default;
        var sandbox = new ContainerdSandbox(environment, directory, runtime);
        try
        {
            System.IO.Directory.CreateDirectory(sandbox.PluginDirectory);
            System.IO.Directory.CreateDirectory(sandbox.PluginConfigDirectory);
            foreach (var plugin in options.Plugins ?? [])
            {
                sandbox.Install(plugin);
            }

            List<string> arguments = [Path.Combine(environment.ScriptsDirectory, "sandbox.sh"), "start", directory, "--containerd", runtime.Name];
            if (!options.EnableNri)
            {
                arguments.Add("--no-nri");
            }

            await Task.Run(() => ScriptRunner.Run("bash", arguments, environment.RepoRoot, ScriptTimeout), cancellationToken);
            await sandbox.WaitUntilServingAsync(cancellationToken);
            return sandbox;
        }
        catch
        {
            try
            {
                await sandbox.DisposeAsync();
            }
            catch (InvalidOperationException cleanupFailure)
            {
                // Keep the start-up failure as the one reported; the cleanup problem goes to stderr.
                await Console.Error.WriteLineAsync($"sandbox {directory}: cleanup after a failed start failed: {cleanupFailure.Message}");
            }

            throw;
        }
    }

    /// <summary>True while this sandbox's containerd process is alive.</summary>
    public bool IsContainerdRunning => ContainerdPid is { } pid && ProcessTable.IsAlive(pid);

    public int? ContainerdPid
    {
        get
        {
            var pidFile = Path.Combine(Directory, "containerd.pid");
            return File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                ? pid
                : null;
        }
    }

    public string ContainerdLog => File.Exists(ContainerdLogPath) ? File.ReadAllText(ContainerdLogPath) : "";

    /// <summary>Restarts only containerd (containers keep running), as a daemon restart on a node does.</summary>
    public async Task RestartContainerdAsync(CancellationToken cancellationToken)
    {
        await Task.Run(
            () => ScriptRunner.Run("bash", [Path.Combine(_environment.ScriptsDirectory, "sandbox.sh"), "restart", Directory], _environment.RepoRoot, ScriptTimeout),
            cancellationToken);
        await WaitUntilServingAsync(cancellationToken);
    }

    /// <summary>
    /// Waits until CRI serves. The script's readiness check sees the CRI plugin loaded, but NRI
    /// launches pre-launched plugins afterwards and containerd 1.7.24 exits when one fails to
    /// register (2.x only warns); that death is reported here with containerd's own words.
    /// </summary>
    private async Task WaitUntilServingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _cri.WaitUntilReadyAsync(_environment.SandboxImage, ReadyTimeout, () => IsContainerdRunning, cancellationToken);
        }
        catch (InvalidOperationException exception)
        {
            throw new InvalidOperationException(
                $"containerd exited during start-up: {exception.Message}\ncontainerd log ({ContainerdLogPath}):\n{LogFile.Tail(ContainerdLog, 25)}", exception);
        }
    }

    /// <summary>Pids of running processes whose argv[0] is the installed pre-launched plugin.</summary>
    public IReadOnlyList<int> PreLaunchedPluginPids(string fileName) =>
        ProcessTable.FindByArgv0(Path.Combine(PluginDirectory, fileName));

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        // Remove pods through CRI first (the kubelet's way) so NRI sees the removals; the script
        // below then kills whatever is left either way.
        if (IsContainerdRunning)
        {
            using var timeout = new CancellationTokenSource(CleanupTimeout);
            try
            {
                await Pods.RemoveEverythingAsync(timeout.Token);
            }
            catch (Exception exception) when (exception is Grpc.Core.RpcException or OperationCanceledException or IOException or InvalidOperationException)
            {
                Console.Error.WriteLine($"sandbox {Directory}: CRI cleanup failed ({exception.Message}); stopping it the hard way");
            }
        }

        _cri.Dispose();
        if (System.IO.Directory.Exists(Directory) && !File.Exists(Path.Combine(Directory, "config.toml")))
        {
            // Failed before the script wrote its config: nothing was started, only our files exist.
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        else if (System.IO.Directory.Exists(Directory))
        {
            await Task.Run(() => ScriptRunner.Run("bash", [Path.Combine(_environment.ScriptsDirectory, "sandbox.sh"), "stop", Directory], _environment.RepoRoot, ScriptTimeout));
        }
    }

    /// <summary>
    /// A test run that was killed (CI timeout, Ctrl-C) cannot dispose its sandbox; the next run
    /// stops what it left, so containerds and shims do not pile up on a machine that is reused.
    /// </summary>
    private static void SweepStaleSandboxes(E2eEnvironment environment)
    {
        if (!System.IO.Directory.Exists(E2eEnvironment.SandboxRoot))
        {
            return;
        }

        foreach (var directory in System.IO.Directory.EnumerateDirectories(E2eEnvironment.SandboxRoot))
        {
            var config = Path.Combine(directory, "config.toml");
            if (File.Exists(config) && DateTime.UtcNow - File.GetLastWriteTimeUtc(config) > StaleAge)
            {
                Console.Error.WriteLine($"stopping the stale sandbox {directory} left by an earlier run");
                ScriptRunner.Run("bash", [Path.Combine(environment.ScriptsDirectory, "sandbox.sh"), "stop", directory], environment.RepoRoot, ScriptTimeout);
            }
        }
    }

    private void Install(PreLaunchedPlugin plugin)
    {
        PreLaunchedPlugin.ValidateFileName(plugin.FileName);
        var target = Path.Combine(PluginDirectory, plugin.FileName);
        File.Copy(plugin.SourceBinary, target, overwrite: true);
        File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        if (plugin.Config is not null)
        {
            File.WriteAllText(
                Path.Combine(PluginConfigDirectory, plugin.FileName + ".conf"),
                plugin.Config.Replace(PreLaunchedPlugin.SandboxPlaceholder, Directory, StringComparison.Ordinal));
        }
    }
}
