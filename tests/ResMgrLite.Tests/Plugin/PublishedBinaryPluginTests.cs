using System.Diagnostics;
using System.Runtime.InteropServices;
using ResMgrLite.Nri.Api;
using ResMgrLite.TestSupport;
using ResMgrLite.TestSupport.Sysfs;
using ResMgrLite.TestSupport.FakeNri;

namespace ResMgrLite.Tests.Plugin;

/// <summary>
/// The published binary as a separate process in external mode, driven by the fake runtime over a
/// unix socket path. Crash and kill tests build on the same setup.
/// </summary>
public sealed class PublishedBinaryPluginTests : IDisposable
{
    private const int SignalTerminate = 15;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly string _directory = Directory.CreateTempSubdirectory("plugin-bin-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task External_mode_handshakes_allocates_reconnects_and_stops_on_sigterm()
    {
        using PublishedExternalPlugin plugin = PublishedExternalPlugin.Start(_directory);
        System.Net.Sockets.Socket listener = plugin.Listener;
        Process process = plugin.Process;
        string logFile = plugin.LogFile;
        await using (FakeNriRuntime first = await FakeNriRuntime.AcceptAsync(listener, CancellationToken.None).WaitAsync(Wait))
        {
            RegisterPluginRequest registered = await first.Registered.WaitAsync(Wait);
            ConfigureResponse configured = await first.ConfigureAsync();
            await first.CallAsync("Synchronize", new SynchronizeRequest(), SynchronizeResponse.Parser);
            CreateContainerResponse created = await first.CallAsync("CreateContainer", PluginScenario.Guaranteed("g1", "ctr-g1", 2), CreateContainerResponse.Parser);

            Assert.Equal(("test", "50"), (registered.PluginName, registered.PluginIdx));
            Assert.Equal(0, configured.Events & ~0x7FF);
            Assert.Equal("1,5", created.Adjust.Linux.Resources.Cpu.Cpus);

            // containerd restarting: EOF on the trunk.
            first.Close();
        }

        await using (FakeNriRuntime second = await FakeNriRuntime.AcceptAsync(listener, CancellationToken.None).WaitAsync(Wait))
        {
            await second.Registered.WaitAsync(Wait);
            await second.ConfigureAsync();
            FakeNriResponse unknown = await second.CallRawAsync(FakeNriRuntime.PluginService, "Nope", []);
            Assert.Equal((12, "method Nope"), (unknown.StatusCode, unknown.StatusMessage));

            Assert.Equal(0, kill(process.Id, SignalTerminate));
            await process.WaitForExitAsync().WaitAsync(Wait);
        }

        Assert.Equal(0, process.ExitCode);
        string log = await File.ReadAllTextAsync(logFile);
        Assert.Contains("cpus 1,5 (Container)", log, StringComparison.Ordinal);
        Assert.Contains("reconnecting", log, StringComparison.Ordinal);
    }

    [DllImport("libc", SetLastError = true)]
#pragma warning disable SYSLIB1054 // test-only signal helper
    private static extern int kill(int pid, int signal);
#pragma warning restore SYSLIB1054
}
