using System.Collections;
using System.Diagnostics;
using ResMgrLite.Engine;
using ResMgrLite.Hooks;
using ResMgrLite.TestSupport;
using ResMgrLite.Tests.Plugin;

namespace ResMgrLite.Tests.Hooks;

/// <summary>
/// The example hooks of hooks/ against a fake /proc and /sys (RESMGRLITE_HOOK_ROOT), run by every
/// POSIX shell a node may have as /bin/sh: dash (Debian's) and busybox.
/// </summary>
public sealed class ExampleHookTests : IDisposable
{
    private const int Cpus = 8;

    private readonly string _root = Directory.CreateTempSubdirectory("hook-examples-").FullName;

    public ExampleHookTests()
    {
        for (int cpu = 0; cpu < Cpus; cpu++)
        {
            // cpu7 has no cpufreq driver (as in many VMs).
            if (cpu == 7)
            {
                Directory.CreateDirectory(Path.Combine(_root, $"sys/devices/system/cpu/cpu{cpu}"));
                continue;
            }
            string cpufreq = Path.Combine(_root, $"sys/devices/system/cpu/cpu{cpu}/cpufreq");
            Directory.CreateDirectory(cpufreq);
            File.WriteAllText(Path.Combine(cpufreq, "scaling_governor"), cpu == 4 ? "powersave\n" : "schedutil\n");
            File.WriteAllText(Path.Combine(cpufreq, "scaling_available_governors"), "conservative ondemand userspace powersave performance schedutil \n");
        }
        // Interrupts as the kernel lists them: everywhere, on one CPU, on a few, and a directory without the file.
        Irq(0, "0-7");
        Irq(9, "0-7");
        Irq(24, "3");
        Irq(25, "2,5");
        Irq(120, "0-3");
        Directory.CreateDirectory(Path.Combine(_root, "proc/irq/default"));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    public static TheoryData<string> Shells()
    {
        var shells = new TheoryData<string> { "/bin/sh" };
        if (File.Exists("/bin/busybox"))
        {
            shells.Add("/bin/busybox");
        }
        return shells;
    }

    private void Irq(int irq, string cpus)
    {
        string directory = Path.Combine(_root, $"proc/irq/{irq}");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "smp_affinity_list"), cpus + "\n");
    }

    private string IrqCpus(int irq) => File.ReadAllText(Path.Combine(_root, $"proc/irq/{irq}/smp_affinity_list")).Trim();

    private CpuSet IrqSet(int irq) => CpuSet.Parse(IrqCpus(irq));

    private string Governor(int cpu) => File.ReadAllText(Path.Combine(_root, $"sys/devices/system/cpu/cpu{cpu}/cpufreq/scaling_governor")).Trim();

    private string State(string hook) => Path.Combine(_root, "run/resmgrlite/hooks", hook);

    /// <summary>Runs hooks/NAME with the hook environment of a change to <paramref name="exclusive"/>.</summary>
    private static (int Exit, string Stdout, string Stderr) Run(string shell, string hook, IDictionary<string, string> environment)
    {
        string script = Path.Combine(RepoPaths.Root, "hooks", hook);
        var start = new ProcessStartInfo(shell)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (shell.EndsWith("busybox", StringComparison.Ordinal))
        {
            start.ArgumentList.Add("sh");
        }
        start.ArgumentList.Add(script);
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }
        using Process process = Process.Start(start)!;
        process.StandardInput.Close();
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(30_000), $"{hook} did not finish");
        return (process.ExitCode, stdout, stderr);
    }

    private (int Exit, string Stdout, string Stderr) RunWithExclusive(string shell, string hook, string exclusive) =>
        Run(shell, hook, new Dictionary<string, string>
        {
            ["RESMGRLITE_HOOK_ROOT"] = _root,
            ["RESMGRLITE_EVENT"] = "container-admitted",
            ["RESMGRLITE_EXCLUSIVE_CPUS"] = exclusive,
        });

    [Theory]
    [MemberData(nameof(Shells))]
    public void Irq_affinity_moves_interrupts_off_exclusive_cpus_and_restores_them_exactly(string shell)
    {
        (int exit, string stdout, string stderr) = RunWithExclusive(shell, "irq-affinity", "2-3");

        Assert.True(exit == 0, stderr);
        Assert.Equal(CpuSet.Parse("0-1,4-7"), IrqSet(0));
        Assert.Equal(CpuSet.Parse("0-1,4-7"), IrqSet(9));
        Assert.Equal("3", IrqCpus(24));                       // only an exclusive CPU may take it: left alone
        Assert.Equal(CpuSet.Parse("5"), IrqSet(25));
        Assert.Equal(CpuSet.Parse("0-1"), IrqSet(120));
        Assert.Contains("irq 9: 0-7 -> 0,1,4,5,6,7 (off exclusive CPUs)", stdout, StringComparison.Ordinal);

        // The same state again changes nothing and says nothing.
        (exit, stdout, _) = RunWithExclusive(shell, "irq-affinity", "2-3");
        Assert.Equal(0, exit);
        Assert.Equal("", stdout);

        // CPU 2 goes back to the pool: interrupts may use it again, CPU 3 stays free of them.
        (exit, _, stderr) = RunWithExclusive(shell, "irq-affinity", "3");
        Assert.True(exit == 0, stderr);
        Assert.Equal(CpuSet.Parse("0-2,4-7"), IrqSet(0));
        Assert.Equal(CpuSet.Parse("2,5"), IrqSet(25));
        Assert.Equal(CpuSet.Parse("0-2"), IrqSet(120));

        // Nothing exclusive: every list comes back as the kernel had it, nothing is remembered.
        (exit, stdout, stderr) = RunWithExclusive(shell, "irq-affinity", "");
        Assert.True(exit == 0, stderr);
        Assert.Equal("0-7", IrqCpus(0));
        Assert.Equal("0-7", IrqCpus(9));
        Assert.Equal("3", IrqCpus(24));
        Assert.Equal("2,5", IrqCpus(25));
        Assert.Equal("0-3", IrqCpus(120));
        Assert.Contains("irq 0: 0,1,2,4,5,6,7 -> 0-7 (restored)", stdout, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(State("irq-affinity")));
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public void Irq_affinity_refuses_input_that_is_not_a_cpulist(string shell)
    {
        (int exit, _, string stderr) = RunWithExclusive(shell, "irq-affinity", "2-3;rm -rf /");

        Assert.Equal(2, exit);
        Assert.Contains("is not a cpulist", stderr, StringComparison.Ordinal);
        Assert.Equal("0-7", IrqCpus(0));
    }

    [RootFact]
    public void IrqAffinityLeavesInterruptsTheKernelWillNotMoveAndSaysSoOnce()
    {
        // A read-only mount makes the write fail the way a managed interrupt's does (EIO).
        string directory = Path.Combine(_root, "proc/irq/77");
        Directory.CreateDirectory(directory);
        Assert.Equal(0, Exec("mount", "-t", "tmpfs", "tmpfs", directory));
        try
        {
            File.WriteAllText(Path.Combine(directory, "smp_affinity_list"), "0-7\n");
            Assert.Equal(0, Exec("mount", "-o", "remount,ro", directory));

            (int exit, string stdout, string stderr) = RunWithExclusive("/bin/sh", "irq-affinity", "2-3");
            Assert.True(exit == 0, stderr);
            Assert.Contains("irq 77: the kernel does not let its affinity be changed; left on 0-7", stdout, StringComparison.Ordinal);
            Assert.Equal(CpuSet.Parse("0-1,4-7"), IrqSet(9));

            (_, stdout, _) = RunWithExclusive("/bin/sh", "irq-affinity", "2-4");
            Assert.DoesNotContain("irq 77", stdout, StringComparison.Ordinal);
        }
        finally
        {
            Assert.Equal(0, Exec("umount", directory));
        }
    }

    private static int Exec(string program, params string[] arguments)
    {
        using Process process = Process.Start(program, arguments);
        process.WaitForExit();
        return process.ExitCode;
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public void Cpufreq_governor_sets_performance_on_exclusive_cpus_and_restores_the_previous_one(string shell)
    {
        (int exit, string stdout, string stderr) = RunWithExclusive(shell, "cpufreq-governor", "2-4,7");

        Assert.True(exit == 0, stderr);
        Assert.Equal("performance", Governor(2));
        Assert.Equal("performance", Governor(3));
        Assert.Equal("performance", Governor(4));
        Assert.Equal("schedutil", Governor(1));
        Assert.Contains("cpu4: cpufreq governor powersave -> performance (exclusive)", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("cpu7", stdout + stderr, StringComparison.Ordinal);   // no cpufreq there: nothing to do

        // Still exclusive: the remembered governor stays the one from before, not "performance".
        (exit, stdout, _) = RunWithExclusive(shell, "cpufreq-governor", "2-4");
        Assert.Equal(0, exit);
        Assert.Equal("", stdout);
        Assert.Equal("powersave", File.ReadAllText(Path.Combine(State("cpufreq-governor"), "cpu4")).Trim());

        (exit, stdout, stderr) = RunWithExclusive(shell, "cpufreq-governor", "3");
        Assert.True(exit == 0, stderr);
        Assert.Equal("schedutil", Governor(2));
        Assert.Equal("performance", Governor(3));
        Assert.Equal("powersave", Governor(4));
        Assert.Contains("cpu4: cpufreq governor performance -> powersave (released)", stdout, StringComparison.Ordinal);

        (exit, _, stderr) = RunWithExclusive(shell, "cpufreq-governor", "");
        Assert.True(exit == 0, stderr);
        Assert.Equal("schedutil", Governor(3));
        Assert.Empty(Directory.GetFiles(State("cpufreq-governor")));
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public void Cpufreq_governor_fails_when_the_driver_offers_no_performance_governor(string shell)
    {
        File.WriteAllText(Path.Combine(_root, "sys/devices/system/cpu/cpu5/cpufreq/scaling_available_governors"), "powersave schedutil\n");

        (int exit, _, string stderr) = RunWithExclusive(shell, "cpufreq-governor", "5-6");

        Assert.Equal(1, exit);
        Assert.Contains("cpu5: the cpufreq driver offers no 'performance' governor (only: powersave schedutil)", stderr, StringComparison.Ordinal);
        Assert.Equal("schedutil", Governor(5));
        Assert.Equal("performance", Governor(6));
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public void Log_allocations_writes_one_line_per_change(string shell)
    {
        (int exit, string stdout, _) = Run(shell, "log-allocations", new Dictionary<string, string>
        {
            ["RESMGRLITE_EVENT"] = "container-admitted",
            ["RESMGRLITE_POD"] = "db/pg-0",
            ["RESMGRLITE_CONTAINER"] = "postgres",
            ["RESMGRLITE_CONTAINER_CPUS"] = "2-3",
            ["RESMGRLITE_CONTAINER_NUMA_NODES"] = "0",
            ["RESMGRLITE_EXCLUSIVE_CPUS"] = "2-3",
            ["RESMGRLITE_SHARED_CPUS"] = "0-1,4-7",
            ["RESMGRLITE_COALESCED"] = "0",
        });
        Assert.Equal(0, exit);
        Assert.Equal("container-admitted db/pg-0 postgres cpus=2-3 numa=0 exclusive=2-3 shared=0-1,4-7\n", stdout);

        (_, stdout, _) = Run(shell, "log-allocations", new Dictionary<string, string>
        {
            ["RESMGRLITE_EVENT"] = "replay",
            ["RESMGRLITE_EXCLUSIVE_CPUS"] = "",
            ["RESMGRLITE_SHARED_CPUS"] = "0-7",
            ["RESMGRLITE_COALESCED"] = "3",
        });
        Assert.Equal("replay exclusive= shared=0-7 (3 earlier changes not seen)\n", stdout);
    }

    [Fact]
    public void The_runner_drives_the_examples_from_a_hooks_directory()
    {
        string hooks = Path.Combine(_root, "etc-hooks");
        Directory.CreateDirectory(hooks, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach ((string name, string example) in new[] { ("10-irq-affinity", "irq-affinity"), ("20-cpufreq-governor", "cpufreq-governor"), ("30-log-allocations", "log-allocations") })
        {
            File.Copy(Path.Combine(RepoPaths.Root, "hooks", example), Path.Combine(hooks, name));
            File.SetUnixFileMode(Path.Combine(hooks, name), (UnixFileMode)0b111_101_101);
        }
        var log = new CollectingLog();
        using var runner = new HookRunner(log, new Hashtable { ["RESMGRLITE_HOOK_ROOT"] = _root }, CurrentUser.Id);
        runner.Configure(hooks, TimeSpan.FromSeconds(10));

        runner.Notify(new AllocationChange(AllocationEvent.ContainerAdmitted, "db", "pg-0", "uid-1", "postgres", "c0ffee",
            CpuSet.Parse("2-3"), 0b1, CpuSet.Parse("0-1,4-7"), CpuSet.Parse("2-3")));

        Assert.True(runner.WaitForIdle(TimeSpan.FromSeconds(20)));
        Assert.Equal(CpuSet.Parse("0-1,4-7"), IrqSet(9));
        Assert.Equal("performance", Governor(2));
        Assert.Contains(log.Entries, e => e.Message == "hook 30-log-allocations: container-admitted db/pg-0 postgres cpus=2-3 numa=0 exclusive=2-3 shared=0-1,4-7");
        Assert.All(runner.Counters.Snapshot(), count => Assert.Equal(HookResult.Succeeded, count.Result));
        Assert.Equal(3, runner.Counters.Snapshot().Count);
    }
}
