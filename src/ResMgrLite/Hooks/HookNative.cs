using System.Runtime.InteropServices;

namespace ResMgrLite.Hooks;

/// <summary>
/// The libc calls the hook runner needs. posix_spawn instead of System.Diagnostics.Process: it can
/// start the hook in its own session (a process group the timeout can kill as a whole), reset the
/// signal dispositions .NET changed (SIGPIPE is ignored in this process and would stay ignored in
/// a child), close every inherited descriptor (a pre-launched plugin's NRI socket is not
/// close-on-exec), and it costs far fewer bytes in the static binary. The calls bind at link time
/// (DirectPInvoke of libc in ResMgrLite.csproj).
/// </summary>
/// <remarks>
/// Layouts and constants are Linux's and identical on x86-64 and arm64: statx has a fixed layout
/// on every architecture (unlike struct stat), the opaque spawn structures are only ever handed
/// back to libc, and the siginfo offsets of the SIGCHLD fields are the same on both.
/// </remarks>
internal static unsafe partial class HookNative
{
    // Larger than glibc's and musl's posix_spawnattr_t (336 bytes) and posix_spawn_file_actions_t (80 bytes).
    public const int SpawnStructBytes = 1024;

    // sigset_t on Linux: 1024 bits.
    public const int SignalSetBytes = 128;

    // glibc <spawn.h>.
    public const short SpawnSetSignalDefaults = 0x04;   // POSIX_SPAWN_SETSIGDEF
    public const short SpawnSetSignalMask = 0x08;       // POSIX_SPAWN_SETSIGMASK
    public const short SpawnSetSession = 0x80;          // POSIX_SPAWN_SETSID (glibc 2.26)

    public const int CloseOnExec = 0x80000;             // O_CLOEXEC (pipe2)
    public const uint MemfdCloseOnExec = 0x1;           // MFD_CLOEXEC
    public const int SeekSet = 0;

    public const short PollIn = 0x001;
    public const short PollHangUp = 0x010;

    // waitid(2)
    public const int IdTypePid = 1;                     // P_PID
    public const int WaitNoHang = 0x1;                  // WNOHANG
    public const int WaitExited = 0x4;                  // WEXITED
    public const int WaitNoWait = 0x01000000;           // WNOWAIT
    public const int SigInfoBytes = 128;
    public const int SigInfoPidOffset = 16;             // si_pid
    public const int SigInfoStatusOffset = 24;          // si_status
    public const int SigInfoCodeOffset = 8;             // si_code
    public const int ChildExited = 1;                   // CLD_EXITED

    public const int SignalKill = 9;
    public const int ErrorInterrupted = 4;              // EINTR
    public const int ErrorNoChild = 10;                 // ECHILD

    // statx(2): a layout fixed on every architecture.
    public const int StatxBytes = 256;
    public const int StatxUidOffset = 20;
    public const int StatxModeOffset = 28;
    public const uint StatxBasicStats = 0x7FF;          // STATX_BASIC_STATS
    public const int AtCurrentDirectory = -100;         // AT_FDCWD
    public const int AtSymlinkNoFollow = 0x100;         // AT_SYMLINK_NOFOLLOW

    [StructLayout(LayoutKind.Sequential)]
    internal struct PollDescriptor
    {
        public int Descriptor;
        public short Events;
        public short ReturnedEvents;
    }

    [LibraryImport("libc", SetLastError = true)]
    public static partial int posix_spawn(int* pid, byte* path, void* fileActions, void* attributes, byte** argv, byte** envp);

    [LibraryImport("libc")]
    public static partial int posix_spawn_file_actions_init(void* fileActions);

    [LibraryImport("libc")]
    public static partial int posix_spawn_file_actions_destroy(void* fileActions);

    [LibraryImport("libc")]
    public static partial int posix_spawn_file_actions_adddup2(void* fileActions, int descriptor, int newDescriptor);

    // glibc 2.34: closes every descriptor from the given one up in the child.
    [LibraryImport("libc")]
    public static partial int posix_spawn_file_actions_addclosefrom_np(void* fileActions, int from);

    [LibraryImport("libc")]
    public static partial int posix_spawnattr_init(void* attributes);

    [LibraryImport("libc")]
    public static partial int posix_spawnattr_destroy(void* attributes);

    [LibraryImport("libc")]
    public static partial int posix_spawnattr_setflags(void* attributes, short flags);

    [LibraryImport("libc")]
    public static partial int posix_spawnattr_setsigdefault(void* attributes, void* signals);

    [LibraryImport("libc")]
    public static partial int posix_spawnattr_setsigmask(void* attributes, void* signals);

    [LibraryImport("libc")]
    public static partial int sigfillset(void* signals);

    [LibraryImport("libc")]
    public static partial int sigemptyset(void* signals);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int pipe2(int* descriptors, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int memfd_create(byte* name, uint flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint write(int descriptor, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint read(int descriptor, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial long lseek(int descriptor, long offset, int whence);

    [LibraryImport("libc")]
    public static partial int close(int descriptor);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int poll(PollDescriptor* descriptors, nuint count, int timeoutMilliseconds);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int waitid(int idType, int id, byte* info, int options);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int signal);

    // realpath(path, NULL): a malloc'ed absolute path without symbolic links; free() it.
    [LibraryImport("libc")]
    public static partial byte* realpath(byte* path, byte* resolved);

    [LibraryImport("libc")]
    public static partial void free(void* pointer);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int statx(int directoryDescriptor, byte* path, int flags, uint mask, byte* buffer);
}
