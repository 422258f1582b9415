using ResMgrLite.Nri.Api;
using ResMgrLite.Nri.Tests.Support;
using ResMgrLite.TestSupport.FakeNri;

namespace ResMgrLite.Nri.Tests.Plugin;

public sealed class ExternalModeTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly string _directory = Directory.CreateTempSubdirectory("nri-ext-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string SocketPath => Path.Combine(_directory, "nri.sock");

    /// <summary>An external plugin on <see cref="SocketPath"/> that retries quickly.</summary>
    private NriConnectionOptions QuickRetry(TimeSpan maxDelay) => new()
    {
        SocketPath = SocketPath,
        PluginName = "test",
        PluginIndex = "50",
        ReconnectInitialDelay = TimeSpan.FromMilliseconds(10),
        ReconnectMaxDelay = maxDelay,
        ConnectProblemRepeatInterval = TimeSpan.FromMilliseconds(200),
    };

    [Fact]
    public async Task Reconnects_after_eof_and_runs_the_full_handshake_again()
    {
        string path = SocketPath;
        var handler = new RecordingHandler();
        NriConnectionOptions options = QuickRetry(TimeSpan.FromMilliseconds(200));
        using var stop = new CancellationTokenSource();

        // The plugin starts before the runtime's socket exists: it must keep retrying.
        Task<int> host = NriPluginHost.RunAsync(options, handler, new CollectingLog(), stop.Token);
        await Task.Delay(100);
        using (System.Net.Sockets.Socket listener = FakeNriRuntime.Listen(path))
        {
            await using (FakeNriRuntime first = await FakeNriRuntime.AcceptAsync(listener, CancellationToken.None).WaitAsync(Wait))
            {
                await first.HandshakeAsync(new SynchronizeRequest { Pods = { new PodSandbox { Id = "p1" } } });
                first.Close();
            }

            await using FakeNriRuntime second = await FakeNriRuntime.AcceptAsync(listener, CancellationToken.None).WaitAsync(Wait);
            RegisterPluginRequest again = await second.Registered.WaitAsync(Wait);
            await second.ConfigureAsync();
            await second.CallAsync("Synchronize", new SynchronizeRequest { Pods = { new PodSandbox { Id = "p1" } } }, SynchronizeResponse.Parser);

            Assert.Equal("test", again.PluginName);
            Assert.Equal(["Configure", "Synchronize 1 0", "Configure", "Synchronize 1 0"], handler.Calls.ToArray());
        }

        await stop.CancelAsync();
        Assert.Equal(0, await host.WaitAsync(Wait));
    }

    [Fact]
    public async Task An_unreachable_socket_is_reported_at_once_then_once_per_interval_until_it_connects()
    {
        string path = SocketPath;
        var log = new CollectingLog();
        NriConnectionOptions options = QuickRetry(TimeSpan.FromMilliseconds(20));
        using var stop = new CancellationTokenSource();

        Task<int> host = NriPluginHost.RunAsync(options, new RecordingHandler(), log, stop.Token);
        await Task.Delay(1000);
        string missing = $"{path} does not exist";
        (ProtocolLogLevel Level, string Message)[] missingLines = [.. log.Entries.Where(e => e.Message.Contains(missing, StringComparison.Ordinal))];

        // Something that is not a socket takes its place: a new reason, reported at once.
        await File.WriteAllTextAsync(path, "not a socket");
        await Task.Delay(300);
        File.Delete(path);
        using (System.Net.Sockets.Socket listener = FakeNriRuntime.Listen(path))
        {
            await using FakeNriRuntime runtime = await FakeNriRuntime.AcceptAsync(listener, CancellationToken.None).WaitAsync(Wait);
            await runtime.Registered.WaitAsync(Wait);
        }

        await stop.CancelAsync();
        Assert.Equal(0, await host.WaitAsync(Wait));
        Assert.Equal(ProtocolLogLevel.Error, missingLines[0].Level);
        Assert.StartsWith("cannot connect to the runtime: ", missingLines[0].Message, StringComparison.Ordinal);
        // Once at once, then about every 200 ms of the second (fewer on a loaded machine, never one per attempt).
        Assert.InRange(missingLines.Length, 2, 6);
        Assert.All(missingLines.Skip(1), l => Assert.Equal(ProtocolLogLevel.Warning, l.Level));
        Assert.Single(log.Entries, e => e.Level == ProtocolLogLevel.Error && e.Message.Contains($"{path} is a regular file, not a socket", StringComparison.Ordinal));
        Assert.Contains(log.Entries, e => e.Level == ProtocolLogLevel.Info && e.Message.StartsWith($"connected to {path} after: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_socket_path_too_long_for_a_unix_address_is_reported_in_words_and_the_host_keeps_running()
    {
        var log = new CollectingLog();
        string path = "/" + new string('n', UnixSocketDial.MaxPathBytes);
        var options = new NriConnectionOptions
        {
            SocketPath = path,
            PluginName = "test",
            PluginIndex = "50",
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(10),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(20),
        };
        using var stop = new CancellationTokenSource();

        Task<int> host = NriPluginHost.RunAsync(options, new RecordingHandler(), log, stop.Token);
        await Task.Delay(300);
        Assert.False(host.IsCompleted);
        await stop.CancelAsync();
        Assert.Equal(0, await host.WaitAsync(Wait));
        Assert.Contains(log.Entries, e => e.Level == ProtocolLogLevel.Error
            && e.Message.Contains($"{path} is longer than the {UnixSocketDial.MaxPathBytes} bytes a unix socket path may have", StringComparison.Ordinal));
    }
}
