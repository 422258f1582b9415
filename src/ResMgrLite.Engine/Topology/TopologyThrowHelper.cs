using System.Diagnostics.CodeAnalysis;

namespace ResMgrLite.Engine.Topology;

/// <summary>Cold throw paths, so lookups stay small and inlinable.</summary>
internal static class TopologyThrowHelper
{
    [DoesNotReturn]
    public static void ThrowUnknown(string what, int id) =>
        throw new ArgumentOutOfRangeException(what, id, $"no online {what} with id {id} in this topology");

    [DoesNotReturn]
    public static void ThrowInvalid(string message) => throw new InvalidTopologyException(message);
}
