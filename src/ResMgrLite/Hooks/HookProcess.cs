using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using static ResMgrLite.Hooks.HookNative;

namespace ResMgrLite.Hooks;

/// <summary>
/// Runs one hook executable to the end: its own session and process group, the document on stdin
/// (a memfd, so writing it can never block on a hook that does not read), stdout and stderr into
/// one pipe of which the first bytes are kept, and the whole process group killed when the hook
/// overruns its time or when it exits and leaves something behind.
/// </summary>
internal static unsafe class HookProcess
{
    // How often the runner looks whether the hook exited while its pipe stays open (a background
    // child of the hook may hold it). Only while a hook runs; an exit that closes the pipe wakes at once.
    private const int ExitCheckMilliseconds = 50;

    // After SIGKILL a process is gone within microseconds unless it sleeps uninterruptibly (a hung mount).
    private static readonly TimeSpan ReapAfterKill = TimeSpan.FromSeconds(2);

    private static readonly byte[] MemfdName = "resmgrlite-hook\0"u8.ToArray();

    // Killed hooks that were not gone yet when the runner stopped waiting: reaped on later runs.
    private static readonly List<int> Unreaped = [];

    /// <summary>Starts <paramref name="path"/> with the document on stdin and waits at most <paramref name="timeout"/>.</summary>
    /// <param name="environment">"NAME=value" entries: the hook's whole environment.</param>
    /// <param name="outputLimit">Bytes of stdout and stderr kept; the rest is read and counted.</param>
    public static HookOutcome Run(string path, ReadOnlySpan<byte> stdin, IReadOnlyList<string> environment, TimeSpan timeout, int outputLimit)
    {
        ReapLeftovers();
        long started = Stopwatch.GetTimestamp();
        int input = -1;
        int outputRead = -1;
        int outputWrite = -1;
        try
        {
            input = CreateInput(stdin, out int inputError);
            if (input < 0)
            {
                return HookOutcome.NotStarted(inputError, "cannot create the input document");
            }
            int* pipe = stackalloc int[2];
            if (pipe2(pipe, CloseOnExec) != 0)
            {
                return HookOutcome.NotStarted(Marshal.GetLastPInvokeError(), "cannot create the output pipe");
            }
            outputRead = pipe[0];
            outputWrite = pipe[1];

            int spawnError = Spawn(path, input, outputWrite, environment, out int pid);
            // The child holds its own copies now: only its ends stay open, so EOF means "all writers gone".
            _ = close(outputWrite);
            outputWrite = -1;
            _ = close(input);
            input = -1;
            if (spawnError != 0)
            {
                return HookOutcome.NotStarted(spawnError, "cannot start it");
            }

            var output = new CappedOutput(outputLimit);
            bool timedOut = WaitForExit(pid, outputRead, started, timeout, output, out int exitCode, out int signal);
            // Whatever the hook left in its process group goes with it; the leader is still a zombie
            // here (waited with WNOWAIT), so its pid, which names the group, cannot have been reused.
            _ = kill(-pid, SignalKill);
            if (timedOut)
            {
                // The hook is its session's leader and cannot leave its group: the kill above reached it.
                if (!TryWaitExited(pid, started, Stopwatch.GetElapsedTime(started) + ReapAfterKill, out exitCode, out signal))
                {
                    lock (Unreaped)
                    {
                        Unreaped.Add(pid);
                    }
                }
            }
            Reap(pid);
            Drain(outputRead, output);
            TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
            return timedOut
                ? HookOutcome.Killed(elapsed, output)
                : HookOutcome.Exited(exitCode, signal, elapsed, output);
        }
        finally
        {
            CloseIfOpen(input);
            CloseIfOpen(outputRead);
            CloseIfOpen(outputWrite);
        }
    }

    private static void CloseIfOpen(int descriptor)
    {
        if (descriptor >= 0)
        {
            _ = close(descriptor);
        }
    }

    /// <summary>A memfd holding the document, positioned at its start; -1 with errno on failure.</summary>
    private static int CreateInput(ReadOnlySpan<byte> document, out int error)
    {
        error = 0;
        int descriptor;
        fixed (byte* name = MemfdName)
        {
            descriptor = memfd_create(name, MemfdCloseOnExec);
        }
        if (descriptor < 0)
        {
            error = Marshal.GetLastPInvokeError();
            return -1;
        }
        fixed (byte* bytes = document)
        {
            nint done = 0;
            while (done < document.Length)
            {
                nint written = write(descriptor, bytes + done, document.Length - done);
                if (written < 0)
                {
                    int code = Marshal.GetLastPInvokeError();
                    if (code == ErrorInterrupted)
                    {
                        continue;
                    }
                    error = code;
                    _ = close(descriptor);
                    return -1;
                }
                done += written;
            }
        }
        if (lseek(descriptor, 0, SeekSet) < 0)
        {
            error = Marshal.GetLastPInvokeError();
            _ = close(descriptor);
            return -1;
        }
        return descriptor;
    }

    /// <summary>posix_spawn in a new session with default signal handling; returns 0 or the error number.</summary>
    private static int Spawn(string path, int input, int output, IReadOnlyList<string> environment, out int pid)
    {
        pid = 0;
        byte* fileActions = stackalloc byte[SpawnStructBytes];
        byte* attributes = stackalloc byte[SpawnStructBytes];
        byte* allSignals = stackalloc byte[SignalSetBytes];
        byte* noSignals = stackalloc byte[SignalSetBytes];
        new Span<byte>(fileActions, SpawnStructBytes).Clear();
        new Span<byte>(attributes, SpawnStructBytes).Clear();

        // argv = { path, NULL }, envp = { entries..., NULL }: one block of NUL-terminated UTF-8 strings.
        var strings = new List<string>(environment.Count + 1) { path };
        strings.AddRange(environment);
        int bytes = 0;
        foreach (string s in strings)
        {
            bytes += Encoding.UTF8.GetByteCount(s) + 1;
        }
        byte[] text = new byte[bytes];
        var pointers = new nint[strings.Count + 2];
        int rc = posix_spawn_file_actions_init(fileActions);
        if (rc != 0)
        {
            return rc;
        }
        try
        {
            rc = posix_spawnattr_init(attributes);
            if (rc != 0)
            {
                return rc;
            }
            try
            {
                _ = sigfillset(allSignals);
                _ = sigemptyset(noSignals);
                rc = posix_spawnattr_setflags(attributes, SpawnSetSession | SpawnSetSignalDefaults | SpawnSetSignalMask);
                rc = rc != 0 ? rc : posix_spawnattr_setsigdefault(attributes, allSignals);
                rc = rc != 0 ? rc : posix_spawnattr_setsigmask(attributes, noSignals);
                rc = rc != 0 ? rc : posix_spawn_file_actions_adddup2(fileActions, input, 0);
                rc = rc != 0 ? rc : posix_spawn_file_actions_adddup2(fileActions, output, 1);
                rc = rc != 0 ? rc : posix_spawn_file_actions_adddup2(fileActions, output, 2);
                rc = rc != 0 ? rc : posix_spawn_file_actions_addclosefrom_np(fileActions, 3);
                if (rc != 0)
                {
                    return rc;
                }
                fixed (byte* block = text)
                fixed (nint* table = pointers)
                {
                    int offset = 0;
                    for (int i = 0; i < strings.Count; i++)
                    {
                        // argv[0] sits at index 0; envp starts at index 2, after argv's NULL.
                        pointers[i == 0 ? 0 : i + 1] = (nint)(block + offset);
                        offset += Encoding.UTF8.GetBytes(strings[i], new Span<byte>(block + offset, bytes - offset));
                        block[offset++] = 0;
                    }
                    int child;
                    rc = posix_spawn(&child, block, fileActions, attributes, (byte**)table, (byte**)(table + 2));
                    pid = child;
                    return rc;
                }
            }
            finally
            {
                _ = posix_spawnattr_destroy(attributes);
            }
        }
        finally
        {
            _ = posix_spawn_file_actions_destroy(fileActions);
        }
    }

    /// <summary>
    /// Reads output until the hook exits or the time is up; true when it is up. On exit the hook is
    /// left a zombie (WNOWAIT) so that its process group can still be killed safely.
    /// </summary>
    private static bool WaitForExit(int pid, int outputRead, long started, TimeSpan timeout, CappedOutput output, out int exitCode, out int signal)
    {
        PollDescriptor descriptor = new() { Descriptor = outputRead, Events = PollIn };
        bool pipeOpen = true;
        while (true)
        {
            if (TryWaitExited(pid, started, TimeSpan.Zero, out exitCode, out signal))
            {
                return false;
            }
            TimeSpan left = timeout - Stopwatch.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                return true;
            }
            int wait = (int)Math.Min(Math.Ceiling(left.TotalMilliseconds), ExitCheckMilliseconds);
            if (!pipeOpen)
            {
                // The hook closed its output but still runs: nothing to wait on but the time.
                Thread.Sleep(wait);
                continue;
            }
            descriptor.ReturnedEvents = 0;
            int ready = poll(&descriptor, 1, wait);
            if (ready > 0 && (descriptor.ReturnedEvents & (PollIn | PollHangUp)) != 0)
            {
                pipeOpen = ReadOnce(outputRead, output);
            }
        }
    }

    /// <summary>
    /// waitid(WEXITED | WNOWAIT) until <paramref name="until"/> (measured from <paramref name="started"/>);
    /// zero means one look. The child is not reaped.
    /// </summary>
    private static bool TryWaitExited(int pid, long started, TimeSpan until, out int exitCode, out int signal)
    {
        exitCode = 0;
        signal = 0;
        byte* info = stackalloc byte[SigInfoBytes];
        while (true)
        {
            new Span<byte>(info, SigInfoBytes).Clear();
            int rc = waitid(IdTypePid, pid, info, WaitExited | WaitNoHang | WaitNoWait);
            if (rc == 0 && *(int*)(info + SigInfoPidOffset) == pid)
            {
                int status = *(int*)(info + SigInfoStatusOffset);
                if (*(int*)(info + SigInfoCodeOffset) == ChildExited)
                {
                    exitCode = status;
                }
                else
                {
                    signal = status;
                }
                return true;
            }
            if (rc != 0 && Marshal.GetLastPInvokeError() == ErrorNoChild)
            {
                // Not our child any more (reaped elsewhere): treat as exited without a status.
                return true;
            }
            if (Stopwatch.GetElapsedTime(started) >= until)
            {
                return false;
            }
            Thread.Sleep(10);
        }
    }

    private static void Reap(int pid)
    {
        byte* info = stackalloc byte[SigInfoBytes];
        _ = waitid(IdTypePid, pid, info, WaitExited | WaitNoHang);
    }

    private static void ReapLeftovers()
    {
        lock (Unreaped)
        {
            byte* info = stackalloc byte[SigInfoBytes];
            for (int i = Unreaped.Count - 1; i >= 0; i--)
            {
                new Span<byte>(info, SigInfoBytes).Clear();
                int rc = waitid(IdTypePid, Unreaped[i], info, WaitExited | WaitNoHang);
                if ((rc == 0 && *(int*)(info + SigInfoPidOffset) == Unreaped[i]) || (rc != 0 && Marshal.GetLastPInvokeError() == ErrorNoChild))
                {
                    Unreaped.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>One read; false at end of file or on an error.</summary>
    private static bool ReadOnce(int descriptor, CappedOutput output)
    {
        byte* buffer = stackalloc byte[4096];
        nint count = read(descriptor, buffer, 4096);
        if (count > 0)
        {
            output.Append(new ReadOnlySpan<byte>(buffer, (int)count));
            return true;
        }
        return count < 0 && Marshal.GetLastPInvokeError() == ErrorInterrupted;
    }

    /// <summary>Reads what is already in the pipe without waiting for writers that escaped the process group.</summary>
    private static void Drain(int descriptor, CappedOutput output)
    {
        PollDescriptor poll1 = new() { Descriptor = descriptor, Events = PollIn };
        while (true)
        {
            poll1.ReturnedEvents = 0;
            if (poll(&poll1, 1, 0) <= 0 || (poll1.ReturnedEvents & (PollIn | PollHangUp)) == 0 || !ReadOnce(descriptor, output))
            {
                return;
            }
        }
    }
}
