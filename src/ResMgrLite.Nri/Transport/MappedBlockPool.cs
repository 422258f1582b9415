using System.Buffers;
using System.Runtime.InteropServices;

namespace ResMgrLite.Nri.Transport;

/// <summary>
/// The memory behind the trunk's and the logical connections' pipes: fixed-size blocks mapped
/// straight from the kernel, outside the GC heap. A few free blocks are kept for the next message;
/// the rest are unmapped as soon as they come back, so the megabytes a large Synchronize needed
/// leave the resident set the moment it has been read, instead of waiting in the shared ArrayPool
/// (which keeps what it once had) or in an old GC generation for a full collection.
/// </summary>
internal sealed partial class MappedBlockPool : MemoryPool<byte>
{
    /// <summary>One block: the trunk's read size and every pipe segment.</summary>
    public const int BlockSize = 64 * 1024;

    /// <summary>Free blocks kept mapped: enough for the small messages of normal operation.</summary>
    public const int MaxFreeBlocks = 4;

    private const int ProtRead = 0x1;
    private const int ProtWrite = 0x2;
    private const int MapPrivate = 0x02;
    private const int MapAnonymous = 0x20;
    private static readonly nint MapFailed = -1;

    private readonly Lock _lock = new();
    private readonly Block?[] _free = new Block?[MaxFreeBlocks];
    private int _freeCount;
    private int _mapped;

    public static MappedBlockPool Instance { get; } = new();

    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks currently mapped (rented or kept free); for tests.</summary>
    internal int MappedBlocks => Volatile.Read(ref _mapped);

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        lock (_lock)
        {
            if (_freeCount > 0)
            {
                Block block = _free[--_freeCount]!;
                _free[_freeCount] = null;
                block.Rented = true;
                return block;
            }
        }

        nint address = mmap(0, BlockSize, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        if (address == MapFailed)
        {
            throw new OutOfMemoryException($"cannot map a {BlockSize}-byte buffer block (errno {Marshal.GetLastPInvokeError()})");
        }

        Interlocked.Increment(ref _mapped);
        return new Block(this, address) { Rented = true };
    }

    protected override void Dispose(bool disposing)
    {
        // Shared for the life of the process.
    }

    private void Return(Block block)
    {
        lock (_lock)
        {
            if (_freeCount < MaxFreeBlocks)
            {
                _free[_freeCount++] = block;
                return;
            }
        }

        Interlocked.Decrement(ref _mapped);

        // Unmapping a whole mapping of our own cannot fail.
        _ = munmap(block.Address, BlockSize);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int munmap(nint address, nuint length);

    /// <summary>A mapped block; disposing it (what a pipe does with a segment it is done with) gives it back.</summary>
    private sealed unsafe class Block(MappedBlockPool pool, nint address) : MemoryManager<byte>
    {
        public nint Address { get; } = address;

        public bool Rented { get; set; }

        public override Span<byte> GetSpan() => new((void*)Address, BlockSize);

        public override MemoryHandle Pin(int elementIndex = 0)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)elementIndex, (uint)BlockSize);
            return new MemoryHandle((byte*)Address + elementIndex);
        }

        public override void Unpin()
        {
            // Native memory never moves.
        }

        protected override void Dispose(bool disposing)
        {
            if (Rented)
            {
                Rented = false;
                pool.Return(this);
            }
        }
    }
}
