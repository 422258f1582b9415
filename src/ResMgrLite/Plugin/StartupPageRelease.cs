using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ResMgrLite.Plugin;

/// <summary>
/// Unmaps the pages of the plugin's own image that start-up faulted in, once start-up is over: the
/// way a kernel frees its init memory. Start-up runs code and reads data that the plugin never needs
/// again (the relocation tables, the dehydrated runtime data expanded into <c>.hydrated</c>, the
/// configuration, topology and state-file code), and the kernel maps file pages around every fault
/// in blocks, so about 4 MiB of the image stay counted in the plugin's RSS for its whole life although
/// a steady plugin touches little of it (docs/benchmarks.md, "Idle RSS").
/// </summary>
/// <remarks>
/// Only the segments the program headers load without write permission are released (code, read-only
/// data, unwind tables): their pages are the executable file's own, never written, so
/// <c>madvise(MADV_DONTNEED)</c> only drops the mappings, the kernel keeps the file's pages in its
/// cache, and the next touch maps them again with a minor fault. A running executable cannot be
/// written (ETXTBSY), so what comes back is what left. Writable segments, including the RELRO part
/// that relocation wrote, are never touched. Only in the published binary: a process running on the
/// JIT (tests) is not this image.
/// </remarks>
internal static unsafe partial class StartupPageRelease
{
    private const ulong AuxProgramHeaders = 3;      // AT_PHDR
    private const ulong AuxProgramHeaderCount = 5;  // AT_PHNUM
    private const uint LoadSegment = 1;             // PT_LOAD
    private const uint ProgramHeaderSegment = 6;    // PT_PHDR
    private const uint WritableFlag = 2;            // PF_W
    private const int DontNeed = 4;                 // MADV_DONTNEED

    /// <summary>Elf64_Phdr, as the loader left it in memory.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct ProgramHeader
    {
        public uint Type;
        public uint Flags;
        public ulong Offset;
        public ulong VirtualAddress;
        public ulong PhysicalAddress;
        public ulong FileSize;
        public ulong MemorySize;
        public ulong Alignment;
    }

    /// <summary>Releases the mapped pages of the image's read-only segments; returns the bytes of address range released (0 when not the published image).</summary>
    public static long Release()
    {
        if (RuntimeFeature.IsDynamicCodeSupported || !OperatingSystem.IsLinux())
        {
            return 0;
        }
        var headers = (ProgramHeader*)getauxval(AuxProgramHeaders);
        ulong count = getauxval(AuxProgramHeaderCount);
        if (headers is null || count is 0 or > 64)
        {
            return 0;
        }
        // The load bias: where PT_PHDR says the headers are against where they are.
        ulong bias = 0;
        bool found = false;
        for (ulong i = 0; i < count; i++)
        {
            if (headers[i].Type == ProgramHeaderSegment)
            {
                bias = (ulong)headers - headers[i].VirtualAddress;
                found = true;
                break;
            }
        }
        if (!found)
        {
            return 0;
        }
        ulong page = (ulong)Environment.SystemPageSize;
        long released = 0;
        for (ulong i = 0; i < count; i++)
        {
            ProgramHeader header = headers[i];
            if (header.Type != LoadSegment || (header.Flags & WritableFlag) != 0 || header.MemorySize != header.FileSize)
            {
                continue;
            }
            // Whole pages inside the segment only: a page shared with a writable neighbour stays.
            ulong start = (bias + header.VirtualAddress + page - 1) & ~(page - 1);
            ulong end = (bias + header.VirtualAddress + header.MemorySize) & ~(page - 1);
            if (end > start && madvise((void*)start, (nuint)(end - start), DontNeed) == 0)
            {
                released += (long)(end - start);
            }
        }
        return released;
    }

    [LibraryImport("libc")]
    private static partial ulong getauxval(ulong type);

    [LibraryImport("libc")]
    private static partial int madvise(void* address, nuint length, int advice);
}
