using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ResMgrLite.CriTool.Cri;
using ResMgrLite.CriTool.Sandbox;

namespace ResMgrLite.EndToEnd.Tests.Vm;

/// <summary>
/// One boot of the two-NUMA cgroup v2 test VM (tests/vm/boot.sh) with one real containerd
/// (<see cref="Runtime"/>) running in it: CRI reached from the host through qemu's port forward and
/// <see cref="UnixSocketRelay"/>, guest files read through <see cref="GuestChannel"/>. Disposing
/// kills qemu if the test did not power the guest off; the run directory
/// (.work/vm/runs/NAME-RUNTIME: console, logs, share) is kept until the next run of the same name,
/// for diagnosis.
/// </summary>
internal sealed class TestVm : IAsyncDisposable
{
    /// <summary>Boot to "containerd ready" takes about 25 s under TCG on 2 idle cores; leave room for a busy machine.</summary>
    private static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan CriReadyTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan PowerOffTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan GuestScriptTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// One CRI call in the guest: about 10 s on an idle machine, but on a loaded one the guest's
    /// vCPUs starve (soft lockups of 20 s and more were seen) and a StartContainer took over 60 s.
    /// </summary>
    private static readonly TimeSpan CriCallTimeout = TimeSpan.FromSeconds(180);

    private const string GuestLibrary = "/usr/lib/resmgrlite-vm";

    /// <summary>What qemu says when the hostfwd port is in use.</summary>
    private const string HostForwardingError = "host forwarding rule";
    private const int PortAttempts = 3;
    private const string RelayDirectory = "/run/resmgrlite-vm";

    private readonly Process _qemu;
    private readonly StringBuilder _qemuOutput = new();
    private UnixSocketRelay? _relay;
    private CriClient? _cri;
    private bool _disposed;

    private TestVm(VmEnvironment environment, ContainerdRuntime runtime, string runDirectory, Process qemu)
    {
        Environment = environment;
        Runtime = runtime;
        RunDirectory = runDirectory;
        _qemu = qemu;
        Channel = new GuestChannel(ShareDirectory, () => IsRunning);
    }

    public VmEnvironment Environment { get; }

    public ContainerdRuntime Runtime { get; }

    public string RunDirectory { get; }

    public string ShareDirectory => Path.Combine(RunDirectory, "share");

    public string GuestDirectory => Path.Combine(ShareDirectory, "guest");

    public GuestChannel Channel { get; }

    public GuestFacts Facts { get; private set; } = GuestFacts.Parse("");

    /// <summary>From starting boot.sh (initramfs check included) until containerd's CRI answered.</summary>
    public TimeSpan BootDuration { get; private set; }

    public PodDriver Pods { get; private set; } = null!;

    public bool IsRunning => !_qemu.HasExited;

    /// <summary>The guest's containerd log, as far as it reached the share.</summary>
    public string ContainerdLog => LogFile.Read(Path.Combine(GuestDirectory, "containerd.log"));

    public static async Task<TestVm> StartAsync(VmEnvironment environment, string name, ContainerdRuntime runtime, VmPlugin? plugin, CancellationToken cancellationToken)
    {
        if (environment.NotRunnableReason is { } reason)
        {
            throw new InvalidOperationException(reason);
        }

        _ = environment.Deps; // ensure_vm_deps, before the clock starts
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(environment, name, runtime, plugin, cancellationToken);
            }
            catch (InvalidOperationException exception) when (attempt < PortAttempts && exception.Message.Contains(HostForwardingError, StringComparison.Ordinal))
            {
                // The free port was taken between choosing it and qemu binding it: choose again.
            }
        }
    }

    private static async Task<TestVm> StartOnceAsync(VmEnvironment environment, string name, ContainerdRuntime runtime, VmPlugin? plugin, CancellationToken cancellationToken)
    {
        var runDirectory = Path.Combine(environment.WorkDirectory, "runs", $"{name}-{runtime.Name}");
        if (Directory.Exists(runDirectory))
        {
            Directory.Delete(runDirectory, recursive: true);
        }

        var share = Path.Combine(runDirectory, "share");
        Directory.CreateDirectory(share);
        if (plugin is not null)
        {
            InstallPlugin(Path.Combine(share, "plugin"), plugin);
        }

        var port = FreeLoopbackPort();
        var clock = Stopwatch.StartNew();
        var startInfo = new ProcessStartInfo("bash")
        {
            WorkingDirectory = environment.E2e.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(Path.Combine(environment.ScriptsDirectory, "boot.sh"));
        startInfo.ArgumentList.Add(runDirectory);
        startInfo.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        startInfo.ArgumentList.Add(runtime.Name);
        var qemu = new Process { StartInfo = startInfo };
        var vm = new TestVm(environment, runtime, runDirectory, qemu);
        qemu.OutputDataReceived += (_, e) => vm.AppendQemuOutput(e.Data);
        qemu.ErrorDataReceived += (_, e) => vm.AppendQemuOutput(e.Data);
        qemu.Start();
        qemu.StandardInput.Close();
        qemu.BeginOutputReadLine();
        qemu.BeginErrorReadLine();
        try
        {
            await vm.WaitForGuestReadyAsync(cancellationToken);
            vm.Facts = GuestFacts.Parse(await File.ReadAllTextAsync(Path.Combine(vm.GuestDirectory, "facts"), cancellationToken));
            vm._relay = UnixSocketRelay.Start(
                Path.Combine(RelayDirectory, $"{name}-{runtime.Name}-{System.Environment.ProcessId}.sock"), new IPEndPoint(IPAddress.Loopback, port));
            vm._cri = new CriClient(vm._relay.SocketPath, CriCallTimeout);
            await vm._cri.WaitUntilReadyAsync(environment.SandboxImage, CriReadyTimeout, () => vm.IsRunning, cancellationToken);
            vm.Pods = new PodDriver(vm._cri, environment.WorkloadImage, "/var/log/pods", vm.Facts.MemoryCapacityBytes);
            vm.BootDuration = clock.Elapsed;
            return vm;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            var diagnostics = vm.Diagnostics();
            await vm.DisposeAsync();
            throw new InvalidOperationException($"the test VM did not come up: {exception.Message}\n{diagnostics}", exception);
        }
        catch
        {
            await vm.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Restarts containerd in the guest with <paramref name="plugin"/> as its pre-launched plugin
    /// (none: without plugins), as a node's service restart after installing one would: the plugin
    /// files go into the share, the guest stops containerd and starts it again
    /// (tests/vm/guest/containerd-stop, containerd-start), and CRI is awaited once more.
    /// </summary>
    public async Task RestartContainerdAsync(VmPlugin? plugin, CancellationToken cancellationToken)
    {
        var pluginDirectory = Path.Combine(ShareDirectory, "plugin");
        if (Directory.Exists(pluginDirectory))
        {
            Directory.Delete(pluginDirectory, recursive: true);
        }

        if (plugin is not null)
        {
            InstallPlugin(pluginDirectory, plugin);
        }

        await Channel.RunCheckedAsync($"{GuestLibrary}/containerd-stop && {GuestLibrary}/containerd-start\n", GuestScriptTimeout, cancellationToken);
        await _cri!.WaitUntilReadyAsync(Environment.SandboxImage, CriReadyTimeout, () => IsRunning, cancellationToken);
    }

    /// <summary>Reads the asserted cgroup v2 files of <paramref name="cgroups"/> (paths below /sys/fs/cgroup) in one guest round trip.</summary>
    public async Task<CgroupSnapshot> ReadCgroupsAsync(IEnumerable<string> cgroups, CancellationToken cancellationToken)
    {
        var arguments = string.Join(' ', cgroups.Select(cgroup => $"'{cgroup}'"));
        var output = await Channel.RunCheckedAsync($"{GuestLibrary}/cgroup-dump {arguments}\n", GuestScriptTimeout, cancellationToken);
        return CgroupSnapshot.Parse(output);
    }

    /// <summary>
    /// Runs a scenario step; an unexpected error (CRI, guest, timeout) is rethrown with the
    /// console and log tails, since the VM and its logs are gone once the test ends.
    /// </summary>
    public async Task<T> StepAsync<T>(string what, Func<Task<T>> step)
    {
        try
        {
            return await step();
        }
        catch (Exception exception) when (exception is Grpc.Core.RpcException or InvalidOperationException or TimeoutException or IOException)
        {
            throw new InvalidOperationException($"VM scenario step '{what}' failed: {exception.Message}\n{Diagnostics()}", exception);
        }
    }

    public async Task StepAsync(string what, Func<Task> step) =>
        await StepAsync(what, async () =>
        {
            await step();
            return true;
        });

    public Task<GuestResult> RunInGuestAsync(string script, CancellationToken cancellationToken) =>
        Channel.RunAsync(script, GuestScriptTimeout, cancellationToken);

    /// <summary>
    /// Asks the guest for a clean power-off (containerd stopped, file systems synced, ACPI power
    /// off) and waits for qemu to exit; returns qemu's exit code (0 for a guest power-off).
    /// </summary>
    public async Task<int> PowerOffAsync(CancellationToken cancellationToken)
    {
        await Channel.RunCheckedAsync($"{GuestLibrary}/poweroff\n", GuestScriptTimeout, cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PowerOffTimeout);
        try
        {
            await _qemu.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"qemu still running {PowerOffTimeout.TotalSeconds:0} s after the guest was told to power off\n{Diagnostics()}");
        }

        return _qemu.ExitCode;
    }

    /// <summary>Console, boot log and containerd log tails, for failure messages.</summary>
    public string Diagnostics()
    {
        string qemuOutput;
        lock (_qemuOutput)
        {
            qemuOutput = _qemuOutput.ToString();
        }

        return $"""
            run directory: {RunDirectory}
            boot.sh/qemu output:
            {LogFile.Tail(qemuOutput, 15)}
            serial console (tail):
            {LogFile.Tail(LogFile.Read(Path.Combine(RunDirectory, "console.log")), 25)}
            guest boot log:
            {LogFile.Tail(LogFile.Read(Path.Combine(GuestDirectory, "boot.log")), 15)}
            containerd log (tail):
            {LogFile.Tail(ContainerdLog, 20)}
            plugin log (tail, when the plugin ran):
            {LogFile.Tail(LogFile.Read(Path.Combine(GuestDirectory, "resmgrlite.log")), 20)}
            """;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _cri?.Dispose();
        if (_relay is not null)
        {
            await _relay.DisposeAsync();
        }

        if (!_qemu.HasExited)
        {
            _qemu.Kill(entireProcessTree: true);
            await _qemu.WaitForExitAsync();
        }

        _qemu.Dispose();
    }

    private static void InstallPlugin(string directory, VmPlugin plugin)
    {
        CriTool.Sandbox.PreLaunchedPlugin.ValidateFileName(plugin.FileName);
        Directory.CreateDirectory(directory);
        File.Copy(plugin.BinaryPath, Path.Combine(directory, plugin.FileName));
        File.WriteAllText(Path.Combine(directory, plugin.FileName + ".conf"), plugin.Config);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }

    private void AppendQemuOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_qemuOutput)
        {
            _qemuOutput.AppendLine(line);
        }
    }

    /// <summary>The guest init writes "ready" or "failed: why" to share/guest/status.</summary>
    private async Task WaitForGuestReadyAsync(CancellationToken cancellationToken)
    {
        var statusFile = Path.Combine(GuestDirectory, "status");
        var deadline = DateTime.UtcNow + BootTimeout;
        while (true)
        {
            var status = LogFile.Read(statusFile).Trim();
            if (status == "ready")
            {
                return;
            }

            if (status.StartsWith("failed", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"the guest init reported: {status}");
            }

            if (_qemu.HasExited)
            {
                // The parameterless wait drains the asynchronous output readers: qemu's last words
                // (e.g. a port it could not forward) must be in the diagnostics.
                _qemu.WaitForExit();
                throw new InvalidOperationException($"qemu exited with {_qemu.ExitCode} before the guest was ready");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the guest was not ready within {BootTimeout.TotalSeconds:0} s");
            }

            await Task.Delay(200, cancellationToken);
        }
    }
}
