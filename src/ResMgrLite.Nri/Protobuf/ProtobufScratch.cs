using System.Buffers;

namespace ResMgrLite.Nri.Protobuf;

/// <summary>
/// Buffers for re-encoding part of a received message before the generated parser reads it: from
/// the shared pool up to <see cref="PooledMaximum"/>, a buffer of its own above, which the GC
/// reclaims (the pool would keep a large one for the life of the process).
/// </summary>
internal static class ProtobufScratch
{
    public const int PooledMaximum = 64 * 1024;

    public static byte[] Rent(int length) =>
        length <= PooledMaximum ? ArrayPool<byte>.Shared.Rent(length) : GC.AllocateUninitializedArray<byte>(length);

    /// <summary>Gives back a buffer of <see cref="Rent"/> (a pooled one is never longer than <see cref="PooledMaximum"/>).</summary>
    public static void Return(byte[] buffer)
    {
        if (buffer.Length <= PooledMaximum)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
