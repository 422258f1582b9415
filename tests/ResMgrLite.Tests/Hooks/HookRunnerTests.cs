using System.Collections;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using ResMgrLite.Engine;
using ResMgrLite.Hooks;
using ResMgrLite.Nri;
using ResMgrLite.TestSupport;
using ResMgrLite.Tests.Plugin;

namespace ResMgrLite.Tests.Hooks;

/// <summary>
/// The hook runner against real processes: /bin/sh scripts in a private directory owned by the
/// test's user (the runner is told to require that uid instead of root, except where the root
/// requirement itself is under test).
/// </summary>
public sealed class HookRunnerTests : IDisposable
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(20);

    private readonly string _root = Directory.CreateTempSubdirectory("hook-runner-").FullName;
    private readonly string _hooks;
    private readonly string _out;
    private readonly CollectingLog _log = new();
    private readonly HookRunner _runner;

    public HookRunnerTests()
    {
        _hooks = Path.Combine(_root, "hooks");
        _out = Path.Combine(_root, "out");
        Directory.CreateDirectory(_hooks, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(_out);
        _runner = new HookRunner(_log, new Hashtable { ["RESMGRLITE_HOOK_ROOT"] = "/fake", ["OTHER"] = "x" }, CurrentUser.Id);
        _runner.Configure(_hooks, TimeSpan.FromSeconds(10));
    }

    public void Dispose()
    {
        _runner.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [DllImport("libc")]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc")]
    private static extern int dup2(int from, int to);

    [DllImport("libc")]
    private static extern int close(int descriptor);

    private string Hook(string name, string body, UnixFileMode mode = (UnixFileMode)0b111_101_101)
    {
        string path = Path.Combine(_hooks, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body.Replace("$OUT", _out, StringComparison.Ordinal) + "\n");
        File.SetUnixFileMode(path, mode);
        return path;
    }

    private static AllocationChange Admitted(string container, string cpus, string exclusive, string shared) =>
        new(AllocationEvent.ContainerAdmitted, "db", "pg-0", "uid-1", container, "id-" + container,
            CpuSet.Parse(cpus), 0b1, CpuSet.Parse(shared), CpuSet.Parse(exclusive));

    private long Runs(string hook, HookResult result) =>
        _runner.Counters.Snapshot().Where(c => c.Hook == hook && c.Result == result).Sum(c => c.Runs);

    private string[] Messages() => _log.Entries.Select(e => e.Message).ToArray();

    [Fact]
    public void Hooks_run_in_ordinal_order_of_their_names()
    {
        foreach (string name in new[] { "20-b", "10-a", "B-upper", "05-c" })
        {
            Hook(name, $"echo {name} >> $OUT/order");
        }

        _runner.Notify(Admitted("app", "2", "2", "0-1,3"));

        Assert.True(_runner.WaitForIdle(Idle));
        Assert.Equal(["05-c", "10-a", "20-b", "B-upper"], File.ReadAllLines(Path.Combine(_out, "order")));
    }

    [Fact]
    public void The_document_on_stdin_and_the_environment_describe_the_change()
    {
        Hook("10-capture", "cat > $OUT/stdin; env > $OUT/env");

        _runner.Notify(Admitted("postgres", "2-3", "2-3,6", "0-1,4-5,7"));

        Assert.True(_runner.WaitForIdle(Idle));
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_out, "stdin")));
        JsonElement doc = json.RootElement;
        Assert.Equal(1, doc.GetProperty("version").GetInt32());
        Assert.Equal("container-admitted", doc.GetProperty("event").GetString());
        Assert.Equal(1, doc.GetProperty("sequence").GetInt64());
        Assert.Equal(0, doc.GetProperty("coalesced").GetInt64());
        Assert.Equal("db", doc.GetProperty("pod").GetProperty("namespace").GetString());
        Assert.Equal("pg-0", doc.GetProperty("pod").GetProperty("name").GetString());
        Assert.Equal("uid-1", doc.GetProperty("pod").GetProperty("uid").GetString());
        Assert.Equal("postgres", doc.GetProperty("container").GetProperty("name").GetString());
        Assert.Equal("id-postgres", doc.GetProperty("container").GetProperty("id").GetString());
        Assert.Equal("2-3", doc.GetProperty("container").GetProperty("cpus").GetString());
        Assert.Equal("0", doc.GetProperty("container").GetProperty("numaNodes").GetString());
        Assert.Equal("0-1,4-5,7", doc.GetProperty("sharedCpus").GetString());
        Assert.Equal("2-3,6", doc.GetProperty("exclusiveCpus").GetString());

        string[] env = File.ReadAllLines(Path.Combine(_out, "env"));
        Assert.Contains("RESMGRLITE_EVENT=container-admitted", env);
        Assert.Contains("RESMGRLITE_POD=db/pg-0", env);
        Assert.Contains("RESMGRLITE_POD_UID=uid-1", env);
        Assert.Contains("RESMGRLITE_CONTAINER=postgres", env);
        Assert.Contains("RESMGRLITE_CONTAINER_ID=id-postgres", env);
        Assert.Contains("RESMGRLITE_CONTAINER_CPUS=2-3", env);
        Assert.Contains("RESMGRLITE_CONTAINER_NUMA_NODES=0", env);
        Assert.Contains("RESMGRLITE_EXCLUSIVE_CPUS=2-3,6", env);
        Assert.Contains("RESMGRLITE_SHARED_CPUS=0-1,4-5,7", env);
        Assert.Contains("RESMGRLITE_HOOK_ROOT=/fake", env);
        // The plugin's own environment is not handed on, only the RESMGRLITE_HOOK_* part of it.
        Assert.DoesNotContain(env, line => line.StartsWith("OTHER=", StringComparison.Ordinal));
    }

    [Fact]
    public void Replay_carries_the_pools_without_a_container()
    {
        Hook("10-capture", "cat > $OUT/stdin; echo \"[$RESMGRLITE_POD][$RESMGRLITE_CONTAINER_CPUS]\" > $OUT/env");

        _runner.ReplayCurrentState(CpuSet.Parse("0-1"), CpuSet.Parse("2-3"));

        Assert.True(_runner.WaitForIdle(Idle));
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_out, "stdin")));
        Assert.Equal("replay", json.RootElement.GetProperty("event").GetString());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("pod").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("container").ValueKind);
        Assert.Equal("2-3", json.RootElement.GetProperty("exclusiveCpus").GetString());
        Assert.Equal("[][]", File.ReadAllText(Path.Combine(_out, "env")).Trim());
    }

    [Fact]
    public void A_busy_hook_sees_only_the_newest_of_the_changes_that_arrived_meanwhile()
    {
        // The first run waits until the test lets it go; three changes arrive meanwhile.
        Hook("10-slow", """
            echo "$RESMGRLITE_SEQUENCE $RESMGRLITE_COALESCED $RESMGRLITE_CONTAINER" >> $OUT/runs
            if [ "$RESMGRLITE_SEQUENCE" = 1 ]; then
              touch $OUT/started
              while [ ! -e $OUT/go ]; do sleep 0.02; done
            fi
            """);

        _runner.Notify(Admitted("a", "2", "2", "0-1"));
        Assert.True(SpinWait.SpinUntil(() => File.Exists(Path.Combine(_out, "started")), Idle));
        _runner.Notify(Admitted("b", "3", "2-3", "0-1"));
        _runner.Notify(Admitted("c", "4", "2-4", "0-1"));
        _runner.Notify(Admitted("d", "5", "2-5", "0-1"));
        File.WriteAllText(Path.Combine(_out, "go"), "");

        Assert.True(_runner.WaitForIdle(Idle));
        Assert.Equal(["1 0 a", "4 2 d"], File.ReadAllLines(Path.Combine(_out, "runs")));
        Assert.Equal(2, _runner.Counters.CoalescedChanges);
        Assert.Equal(2, Runs("10-slow", HookResult.Succeeded));
    }

    [Fact]
    public void Notify_returns_at_once_while_a_hook_runs()
    {
        Hook("10-sleep", "sleep 2");
        _runner.Notify(Admitted("a", "2", "2", "0-1"));

        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 100; i++)
        {
            _runner.Notify(Admitted("b", "3", "2-3", "0-1"));
        }
        clock.Stop();

        Assert.True(clock.ElapsedMilliseconds < 500, $"100 notifications took {clock.ElapsedMilliseconds} ms");
        Assert.True(_runner.WaitForIdle(Idle));
    }

    [Fact]
    public void A_hook_that_overruns_the_timeout_is_killed_with_its_process_group()
    {
        _runner.Configure(_hooks, TimeSpan.FromMilliseconds(500));
        // The hook leaves a sleeping child behind and sleeps itself; both must be gone after the timeout.
        Hook("10-stuck", "sleep 60 & echo $! > $OUT/child; echo $$ > $OUT/hook; sleep 60");
        Hook("20-next", "echo ran > $OUT/next");

        var clock = Stopwatch.StartNew();
        _runner.Notify(Admitted("a", "2", "2", "0-1"));
        Assert.True(_runner.WaitForIdle(Idle));
        clock.Stop();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the round took {clock.Elapsed}");
        Assert.Equal(1, Runs("10-stuck", HookResult.TimedOut));
        Assert.Equal(1, Runs("20-next", HookResult.Succeeded));
        Assert.True(File.Exists(Path.Combine(_out, "next")));
        foreach (string file in new[] { "child", "hook" })
        {
            int pid = int.Parse(File.ReadAllText(Path.Combine(_out, file)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(SpinWait.SpinUntil(() => IsGone(pid), TimeSpan.FromSeconds(5)), $"the {file} process {pid} still runs");
        }
        Assert.Contains(Messages(), m => m.Contains("10-stuck", StringComparison.Ordinal) && m.Contains("killed with its process group", StringComparison.Ordinal));
    }

    /// <summary>Gone or a zombie waiting for its (new) parent to reap it.</summary>
    private static bool IsGone(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }

    [Fact]
    public void Output_is_capped_in_the_log_and_a_loud_hook_still_finishes()
    {
        // 200 KiB: far more than a pipe holds, so the runner must keep reading past the cap.
        Hook("10-loud", "i=0; while [ $i -lt 2048 ]; do printf '%0100d\\n' $i; i=$((i+1)); done; echo done > $OUT/finished");

        _runner.Notify(Admitted("a", "2", "2", "0-1"));

        Assert.True(_runner.WaitForIdle(Idle));
        Assert.True(File.Exists(Path.Combine(_out, "finished")));
        string[] lines = Messages().Where(m => m.StartsWith("hook 10-loud: ", StringComparison.Ordinal)).ToArray();
        string[] output = lines.Where(l => !l.Contains("more bytes", StringComparison.Ordinal)).Select(l => l["hook 10-loud: ".Length..]).ToArray();
        // 40 whole lines of 101 bytes and the first 56 bytes of the 41st: exactly the cap.
        Assert.Equal(41, output.Length);
        Assert.Equal(HookRunner.OutputLimitBytes, output.Sum(l => l.Length + 1) - 1);
        Assert.Contains(lines, l => l.Contains($"({(2048 * 101) - HookRunner.OutputLimitBytes} more bytes of output not logged)", StringComparison.Ordinal));
        Assert.Equal(1, Runs("10-loud", HookResult.Succeeded));
    }

    [Fact]
    public void A_world_writable_hook_is_refused_and_the_reason_logged_once()
    {
        Hook("10-open", "echo ran > $OUT/open", (UnixFileMode)0b111_111_111);
        Hook("20-group", "echo ran > $OUT/group", (UnixFileMode)0b111_111_101);
        Hook("30-fine", "echo ran >> $OUT/fine");

        _runner.Notify(Admitted("a", "2", "2", "0-1"));
        Assert.True(_runner.WaitForIdle(Idle));
        _runner.Notify(Admitted("b", "3", "2-3", "0-1"));
        Assert.True(_runner.WaitForIdle(Idle));

        Assert.False(File.Exists(Path.Combine(_out, "open")));
        Assert.False(File.Exists(Path.Combine(_out, "group")));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(_out, "fine")).Length);
        Assert.Equal(2, Runs("10-open", HookResult.Refused));
        Assert.Equal(2, Runs("20-group", HookResult.Refused));
        Assert.Single(Messages(), m => m.Contains("10-open is refused: the file is writable by everyone (mode 777)", StringComparison.Ordinal));
        Assert.Single(Messages(), m => m.Contains("20-group is refused: the file is writable by its group (mode 775)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_group_writable_directory_refuses_every_hook()
    {
        Hook("10-fine", "echo ran > $OUT/fine");
        File.SetUnixFileMode(_hooks, (UnixFileMode)0b111_111_101);

        _runner.Notify(Admitted("a", "2", "2", "0-1"));
        Assert.True(_runner.WaitForIdle(Idle));
        _runner.Notify(Admitted("b", "3", "2-3", "0-1"));
        Assert.True(_runner.WaitForIdle(Idle));

        Assert.False(File.Exists(Path.Combine(_out, "fine")));
        Assert.Single(Messages(), m => m.Contains("is refused, no hook runs: the directory is writable by its group (mode 775)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_directory_is_reported_in_the_projects_words()
    {
        string missing = Path.Combine(_root, "not-there");
        _runner.Configure(missing, TimeSpan.FromSeconds(10));

        _runner.Notify(Admitted("a", "2", "2", "0-1"));
        Assert.True(_runner.WaitForIdle(Idle));

        Assert.Single(Messages(), m => m.Contains($"{missing} is refused, no hook runs: cannot be examined: does not exist", StringComparison.Ordinal));
    }

    [Fact]
    public void A_linked_hook_runs_when_its_target_and_the_targets_directory_are_safe()
    {
        // The packaged way: link an example from a root-only directory into the hooks directory.
        string safe = Path.Combine(_root, "safe");
        string open = Path.Combine(_root, "open");
        Directory.CreateDirectory(safe, (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(open);
        File.SetUnixFileMode(open, (UnixFileMode)0b111_111_111);
        foreach (string directory in new[] { safe, open })
        {
            string target = Path.Combine(directory, "example");
            File.WriteAllText(target, $"#!/bin/sh\necho ran >> {_out}/{Path.GetFileName(directory)}\n");
            File.SetUnixFileMode(target, (UnixFileMode)0b111_101_101);
        }
        File.CreateSymbolicLink(Path.Combine(_hooks, "10-safe"), Path.Combine(safe, "example"));
        File.CreateSymbolicLink(Path.Combine(_hooks, "20-open"), Path.Combine(open, "example"));

        _runner.Notify(Admitted("a", "2", "2", "0-1"));

        Assert.True(_runner.WaitForIdle(Idle));
        Assert.True(File.Exists(Path.Combine(_out, "safe")));
        Assert.False(File.Exists(Path.Combine(_out, "open")));
        Assert.Contains(Messages(), m => m.Contains($"20-open is refused: the link target's directory {open} is writable by everyone (mode 777)", StringComparison.Ordinal));
    }

    [RootFact]
    public void HooksNotOwnedByRootAreRefused()
    {
        string path = Hook("10-theirs", "echo ran > $OUT/theirs");
        Assert.Equal(0, Chown(path, 65534));
        using var runner = new HookRunner(_log, new Hashtable());
        runner.Configure(_hooks, TimeSpan.FromSeconds(10));

        runner.Notify(Admitted("a", "2", "2", "0-1"));
        Assert.True(runner.WaitForIdle(Idle));

        Assert.False(File.Exists(Path.Combine(_out, "theirs")));
        Assert.Equal(new HookRunCount("10-theirs", HookResult.Refused, 1), Assert.Single(runner.Counters.Snapshot()));
        Assert.Contains(Messages(), m => m.EndsWith("10-theirs is refused: the file is owned by uid 65534, not root", StringComparison.Ordinal));
    }

    [DllImport("libc", EntryPoint = "chown")]
    private static extern int Chown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint owner, uint group = uint.MaxValue);

    [Fact]
    public void Crashing_and_failing_hooks_are_counted_and_the_next_hook_still_runs()
    {
        Hook("10-segv", "echo about to crash; kill -SEGV $$");
        Hook("20-exit3", "echo bad input >&2; exit 3");
        Hook("30-noshebang", "");
        File.WriteAllText(Path.Combine(_hooks, "30-noshebang"), "echo no interpreter line\n");
        Hook("40-fine", "echo ran > $OUT/fine");

        _runner.Notify(Admitted("a", "2", "2", "0-1"));

        Assert.True(_runner.WaitForIdle(Idle));
        Assert.Equal(1, Runs("10-segv", HookResult.Failed));
        Assert.Equal(1, Runs("20-exit3", HookResult.Failed));
        Assert.Equal(1, Runs("30-noshebang", HookResult.NotStarted));
        Assert.Equal(1, Runs("40-fine", HookResult.Succeeded));
        string[] messages = Messages();
        Assert.Contains(messages, m => m.Contains("hook 10-segv (container-admitted #1): killed by signal 11", StringComparison.Ordinal));
        Assert.Contains(messages, m => m == "hook 10-segv: about to crash");
        Assert.Contains(messages, m => m.Contains("hook 20-exit3 (container-admitted #1): failed with exit status 3", StringComparison.Ordinal));
        Assert.Contains(messages, m => m == "hook 20-exit3: bad input");
        Assert.Contains(messages, m => m.Contains("30-noshebang", StringComparison.Ordinal) && m.Contains("#!", StringComparison.Ordinal));
        Assert.Contains(_log.Entries, e => e.Level == ProtocolLogLevel.Warning && e.Message.Contains("20-exit3", StringComparison.Ordinal));
    }

    [Fact]
    public void Files_that_are_not_hooks_are_skipped()
    {
        Hook("10-notexec", "echo ran > $OUT/notexec", (UnixFileMode)0b110_100_100);
        Hook(".hidden", "echo ran > $OUT/hidden");
        Hook("20-x.dpkg-old", "echo ran > $OUT/old");
        Hook("30-backup~", "echo ran > $OUT/backup");
        Directory.CreateDirectory(Path.Combine(_hooks, "40-dir"));
        Hook("50-fine", "echo ran > $OUT/fine");

        _runner.Notify(Admitted("a", "2", "2", "0-1"));

        Assert.True(_runner.WaitForIdle(Idle));
        Assert.Equal(["fine"], Directory.GetFiles(_out).Select(Path.GetFileName));
        Assert.Single(_runner.Counters.Snapshot());
        Assert.Contains(Messages(), m => m.Contains("10-notexec is not run: not executable", StringComparison.Ordinal));
    }

    [Fact]
    public void Inherited_descriptors_are_closed_in_the_hook()
    {
        // A descriptor without close-on-exec, like a pre-launched plugin's NRI socket.
        int fd = open("/dev/null", 0);
        Assert.True(fd >= 0);
        Assert.Equal(200, dup2(fd, 200));
        try
        {
            Hook("10-fds", "if [ -e /proc/$$/fd/200 ]; then echo open; else echo closed; fi > $OUT/fd200");
            _runner.Notify(Admitted("a", "2", "2", "0-1"));
            Assert.True(_runner.WaitForIdle(Idle));
            Assert.Equal("closed", File.ReadAllText(Path.Combine(_out, "fd200")).Trim());
        }
        finally
        {
            _ = close(200);
            _ = close(fd);
        }
    }

    [Fact]
    public void Nothing_runs_while_hooks_are_off_and_turning_them_on_runs_the_newest_change()
    {
        Hook("10-capture", "echo $RESMGRLITE_SEQUENCE $RESMGRLITE_CONTAINER >> $OUT/runs");
        _runner.Configure("", TimeSpan.FromSeconds(10));

        _runner.Notify(Admitted("a", "2", "2", "0-1"));
        _runner.Notify(Admitted("b", "3", "2-3", "0-1"));
        Assert.True(_runner.WaitForIdle(Idle));
        Assert.False(File.Exists(Path.Combine(_out, "runs")));

        _runner.Configure(_hooks, TimeSpan.FromSeconds(10));
        Assert.True(_runner.WaitForIdle(Idle));
        Assert.Equal(["2 b"], File.ReadAllLines(Path.Combine(_out, "runs")));
    }

    [Fact]
    public void Result_names_are_the_ones_the_documentation_and_the_metrics_use()
    {
        Assert.Equal(
            ["succeeded", "failed", "timed-out", "not-started", "refused"],
            Enum.GetValues<HookResult>().Select(HookResultNames.Of));
    }
}
