using ResMgrLite.TestSupport.FakeNri;

namespace ResMgrLite.Nri.Tests.Support;

/// <summary>A plugin host in pre-launched mode on one end of a socketpair, the fake runtime on the other.</summary>
internal sealed class PluginHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();

    private PluginHarness(RecordingHandler handler, string name, string index)
    {
        Handler = handler;
        (System.Net.Sockets.Socket runtimeEnd, System.Net.Sockets.Socket pluginEnd) = SocketPair.Create();
        var options = new NriConnectionOptions { ConnectedSocket = pluginEnd, PluginName = name, PluginIndex = index };
        Host = new NriPluginHost(options, handler, Log);
        Exit = Task.Run(() => Host.RunAsync(_stop.Token));
        Runtime = FakeNriRuntime.Attach(runtimeEnd);
    }

    public RecordingHandler Handler { get; }

    public CollectingLog Log { get; } = new();

    public NriPluginHost Host { get; }

    public FakeNriRuntime Runtime { get; }

    /// <summary>The host's exit code once it stops.</summary>
    public Task<int> Exit { get; }

    public static PluginHarness Start(RecordingHandler? handler = null, string name = "test", string index = "50") =>
        new(handler ?? new RecordingHandler(), name, index);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Runtime.DisposeAsync();
        await Exit.WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}
