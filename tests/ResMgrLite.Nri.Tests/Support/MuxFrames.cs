using System.Buffers;
using ResMgrLite.Nri.Transport;

namespace ResMgrLite.Nri.Tests.Support;

/// <summary>
/// Cuts whole mux frames out of a byte stream for assertions. The plugin itself never waits for a
/// whole frame (it passes payload bytes on as they arrive); tests want frames as units.
/// </summary>
internal static class MuxFrames
{
    /// <summary>False, with <paramref name="buffer"/> untouched, while the header or payload is incomplete.</summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out uint connId, out ReadOnlySequence<byte> payload)
    {
        payload = default;
        ReadOnlySequence<byte> rest = buffer;
        if (!MuxFrameReader.TryReadHeader(ref rest, out connId, out int length) || rest.Length < length)
        {
            connId = 0;
            return false;
        }

        payload = rest.Slice(0, length);
        buffer = rest.Slice(length);
        return true;
    }
}
