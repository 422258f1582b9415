using System.Collections.Concurrent;
using ResMgrLite.Nri;

namespace ResMgrLite.Tests.Plugin;

internal sealed class CollectingLog : IProtocolLog
{
    public ConcurrentQueue<(ProtocolLogLevel Level, string Message)> Entries { get; } = new();

    public bool IsEnabled(ProtocolLogLevel level) => true;

    public void Write(ProtocolLogLevel level, string message) => Entries.Enqueue((level, message));
}
