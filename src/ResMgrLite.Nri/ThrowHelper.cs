using System.Diagnostics.CodeAnalysis;

namespace ResMgrLite.Nri;

/// <summary>Keeps throw sites out of the hot framing paths so those stay small and inlinable.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowMuxFrameTooLarge(uint connId, uint declaredLength, int maximum) =>
        throw new ProtocolViolationException(
            $"mux frame on conn {connId} declares {declaredLength} payload bytes; the maximum is {maximum}");

    [DoesNotReturn]
    public static void ThrowInvalidTtrpcType(uint streamId, byte type) =>
        throw new ProtocolViolationException(
            $"ttrpc message on stream {streamId} has unknown type \\x{type:x2} (valid: \\x01 request, \\x02 response, \\x03 data)");

    [DoesNotReturn]
    public static void ThrowArgument(string message, string paramName) =>
        throw new ArgumentException(message, paramName);
}
