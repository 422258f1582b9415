using System.Collections.Concurrent;

namespace ResMgrLite.Nri.Tests.Support;

internal sealed class CollectingLog : IProtocolLog
{
    public ConcurrentQueue<(ProtocolLogLevel Level, string Message)> Entries { get; } = new();

    public bool IsEnabled(ProtocolLogLevel level) => true;

    public void Write(ProtocolLogLevel level, string message) => Entries.Enqueue((level, message));

    public bool Contains(string text) => Entries.Any(e => e.Message.Contains(text, StringComparison.Ordinal));
}
