using ResMgrLite.Nri.Api;
using ResMgrLite.Nri.Tests.Support;
using ResMgrLite.TestSupport.FakeNri;

namespace ResMgrLite.Nri.Tests.Plugin;

public sealed class ExternalModeTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly string _directory = Directory.CreateTempSubdirectory("nri-ext-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ReconnectsAfterEofAndRunsTheFullHandshakeAgain()
    {
        string path = Path.Combine(_directory, "nri.sock");
        var handler = new RecordingHandler();
        var options = new NriConnectionOptions
        {
            SocketPath = path,
            PluginName = "test",
            PluginIndex = "50",
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
        };
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
}
