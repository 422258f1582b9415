namespace ResMgrLite.Hooks;

/// <summary>
/// A hook's stdout and stderr as the log sees them: the first <c>limit</c> bytes are kept, the rest
/// is still read (a hook must never block on a full pipe) but only counted.
/// </summary>
internal sealed class CappedOutput(int limit)
{
    private readonly byte[] _kept = new byte[Math.Max(0, limit)];

    public int KeptLength { get; private set; }

    public long DroppedBytes { get; private set; }

    public ReadOnlySpan<byte> Kept => _kept.AsSpan(0, KeptLength);

    public void Append(ReadOnlySpan<byte> bytes)
    {
        int room = _kept.Length - KeptLength;
        int take = Math.Min(room, bytes.Length);
        bytes[..take].CopyTo(_kept.AsSpan(KeptLength));
        KeptLength += take;
        DroppedBytes += bytes.Length - take;
    }
}
