namespace ResMgrLite.Host.State;

/// <summary>
/// FNV-1a, 64-bit: the checkpoint checksum (docs/state.md). Not cryptographic: it detects torn
/// writes, truncation and hand edits, which is all a local state file needs.
/// </summary>
internal static class Fnv1a64
{
    private const ulong OffsetBasis = 0xcbf29ce484222325;
    private const ulong Prime = 0x100000001b3;

    public static ulong Hash(ReadOnlySpan<byte> data)
    {
        ulong hash = OffsetBasis;
        foreach (byte b in data)
        {
            hash ^= b;
            hash *= Prime;
        }
        return hash;
    }
}
