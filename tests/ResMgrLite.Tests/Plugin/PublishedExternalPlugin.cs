using System.Diagnostics;
using ResMgrLite.TestSupport;
using ResMgrLite.TestSupport.FakeNri;
using ResMgrLite.TestSupport.Sysfs;

namespace ResMgrLite.Tests.Plugin;

/// <summary>
/// The published binary started in external mode (static CPU policy, debug log, a single-socket HT
/// machine) against a fake runtime listening in <paramref name="directory"/>; the caller accepts
/// its connections from <see cref="Listener"/>. Disposing kills the process if it still runs.
/// </summary>
internal sealed class PublishedExternalPlugin : IDisposable
{
    private readonly SysfsTree _machine;

    private PublishedExternalPlugin(string directory)
    {
        string binary = RepoPaths.PublishedBinary;
        Assert.True(File.Exists(binary), $"published binary {binary} is missing: run ./build.sh first or set RESMGRLITE_BINARY");
        Binary = binary;
        string socket = Path.Combine(directory, "nri.sock");
        LogFile = Path.Combine(directory, "plugin.log");
        string config = Path.Combine(directory, "90-resmgrlite.conf");
        File.WriteAllText(config, PluginScenario.StaticCpuConfigIn(directory));
        _machine = SysfsFixtures.SingleSocketHt().WriteTree();
        Listener = FakeNriRuntime.Listen(socket);
        var start = new ProcessStartInfo(binary)
        {
            ArgumentList = { "run", "--socket", socket, "--name", "test", "--idx", "50", "--log-file", LogFile, "--log-level", "debug", "--config", config, "--sysfs", _machine.SysfsRoot },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process = Process.Start(start)!;
    }

    public string Binary { get; }

    public string LogFile { get; }

    public System.Net.Sockets.Socket Listener { get; }

    public Process Process { get; }

    public static PublishedExternalPlugin Start(string directory) => new(directory);

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill();
        }
        Process.Dispose();
        Listener.Dispose();
        _machine.Dispose();
    }
}
