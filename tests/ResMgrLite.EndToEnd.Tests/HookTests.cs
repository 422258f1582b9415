using System.Globalization;
using ResMgrLite.CriTool.Cri;
using ResMgrLite.CriTool.Kube;
using ResMgrLite.CriTool.Sandbox;
using ResMgrLite.EndToEnd.Tests.Support;
using ResMgrLite.Engine;

namespace ResMgrLite.EndToEnd.Tests;

/// <summary>
/// The example hooks of hooks/ (irq-affinity, cpufreq-governor, log-allocations) and one recording
/// hook, run by the published binary as an external plugin of each real containerd: a Guaranteed
/// container's exclusive CPU reaches the hooks within 1 s of the container's creation (containerd's
/// own CreatedAt against the hook's clock), interrupts and governors move off and back, and the
/// log carries log-allocations' lines. irq-affinity and cpufreq-governor work on a fake /proc and
/// /sys (RESMGRLITE_HOOK_ROOT), never on the machine's own.
/// </summary>
[Collection(RealContainerdCollection.Name)]
public sealed class HookTests
{
    private static readonly TimeSpan ReportedWithin = TimeSpan.FromSeconds(1);

    [RealContainerdTheory]
    [MemberData(nameof(Runtimes.Names), MemberType = typeof(Runtimes))]
    public async Task Example_hooks_see_an_exclusive_cpu_within_a_second_of_the_container_s_creation(string containerd)
    {
        using var cancellation = new CancellationTokenSource(Timeouts.Test);
        var token = cancellation.Token;
        await using var sandbox = await ContainerdSandbox.StartAsync(E2eEnvironment.Current, new SandboxOptions("hooks", Runtime: ContainerdRuntime.Find(containerd)), token);
        CpuSet online = Cpus.AllOnline;

        string fakeRoot = Path.Combine(sandbox.Directory, "fake-root");
        WriteFakeMachine(fakeRoot, online);
        string hooks = Path.Combine(sandbox.Directory, "hooks.d");
        Directory.CreateDirectory(hooks);
        File.SetUnixFileMode(hooks, (UnixFileMode)0b111_101_101);
        string examples = Path.Combine(E2eEnvironment.Current.RepoRoot, "hooks");
        Install(Path.Combine(examples, "irq-affinity"), Path.Combine(hooks, "10-irq-affinity"));
        Install(Path.Combine(examples, "cpufreq-governor"), Path.Combine(hooks, "20-cpufreq-governor"));
        Install(Path.Combine(examples, "log-allocations"), Path.Combine(hooks, "90-log-allocations"));
        string record = Path.Combine(sandbox.Directory, "hook-record");
        File.WriteAllText(Path.Combine(hooks, "50-record"),
            $"#!/bin/sh\necho \"$(date +%s%N) $RESMGRLITE_EVENT $RESMGRLITE_CONTAINER_ID cpus=$RESMGRLITE_CONTAINER_CPUS exclusive=$RESMGRLITE_EXCLUSIVE_CPUS\" >> {record}\n");
        File.SetUnixFileMode(Path.Combine(hooks, "50-record"), (UnixFileMode)0b111_101_101);

        string log = PublishedPlugin.ExternalLogPath(sandbox, "hooks");
        string config = Path.Combine(sandbox.Directory, "hooks.toml");
        File.WriteAllText(config, PluginConfig.StaticCpuManager(log) + $"\n[hooks]\ndirectory = \"{hooks}\"\ntimeout = \"5s\"\n");
        // Hooks get the plugin's RESMGRLITE_HOOK_* variables; the plugin inherits the test's environment.
        Environment.SetEnvironmentVariable("RESMGRLITE_HOOK_ROOT", fakeRoot);
        ExternalPlugin plugin;
        try
        {
            plugin = ExternalPlugin.Start(E2eEnvironment.Current.RequireBinary(), sandbox.NriSocketPath, config, log);
        }
        finally
        {
            Environment.SetEnvironmentVariable("RESMGRLITE_HOOK_ROOT", null);
        }
        using (plugin)
        {
            await PluginLog.WaitForConfiguredAsync(log, token);
            // The start replays the (empty) state once the runtime synchronized.
            await WaitForLineAsync(record, line => line.Contains(" replay ", StringComparison.Ordinal), "the start's replay", plugin, token);

            var pod = await sandbox.Pods.RunAsync(new PodSpec("hooked-pod", [new ContainerSpec("hooked-ctr", OneCpu, OneCpu)]), token);
            string id = pod.Containers[0].Id;
            CpuSet exclusive = Cpus.Parse(sandbox.Cgroups.ReadContainer(pod.CgroupParent, id).Cpus);
            Assert.Equal(1, exclusive.Count);
            long createdAtNs = (await sandbox.Pods.StatusAsync(id, token)).CreatedAt;

            string admitted = await WaitForLineAsync(record, line => line.Contains($" container-admitted {id} ", StringComparison.Ordinal), "the admission", plugin, token);
            Assert.Contains($"cpus={exclusive} exclusive={exclusive}", admitted, StringComparison.Ordinal);
            TimeSpan delay = TimeSpan.FromTicks((long.Parse(admitted.Split(' ')[0], CultureInfo.InvariantCulture) - createdAtNs) / 100);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{sandbox.Runtime}: the hook saw CPU {exclusive} {delay.TotalMilliseconds:0} ms after containerd created the container"));
            Assert.True(delay <= ReportedWithin, $"the hook saw the exclusive CPU {delay.TotalMilliseconds} ms after the container's creation");

            // irq-affinity and cpufreq-governor ran in the same round (they come before 50-record).
            Assert.Equal(online.Except(exclusive), CpuSet.Parse(File.ReadAllText(Path.Combine(fakeRoot, "proc/irq/9/smp_affinity_list")).Trim()));
            foreach (int cpu in online)
            {
                Assert.Equal(cpu == exclusive.Min() ? "performance" : "powersave", Governor(fakeRoot, cpu));
            }
            await LogFile.WaitForAsync(log, text => text.Contains($"hook 90-log-allocations: container-admitted default/hooked-pod hooked-ctr cpus={exclusive}", StringComparison.Ordinal),
                Timeouts.PluginLog, "log-allocations' line in the plugin's log", token);

            // Removal gives everything back.
            await sandbox.Pods.RemoveAsync(pod, token);
            await WaitForLineAsync(record, line => line.Contains($" container-released {id} ", StringComparison.Ordinal) && line.EndsWith(" exclusive=", StringComparison.Ordinal), "the release", plugin, token);
            Assert.Equal(online, CpuSet.Parse(File.ReadAllText(Path.Combine(fakeRoot, "proc/irq/9/smp_affinity_list")).Trim()));
            Assert.Equal("powersave", Governor(fakeRoot, exclusive.Min()));
            string text = LogFile.Read(log);
            Assert.DoesNotContain("is refused", text, StringComparison.Ordinal);
            Assert.DoesNotContain("failed with exit status", text, StringComparison.Ordinal);
            Assert.False(plugin.HasExited, $"the plugin exited:\n{plugin.Output}");
        }
    }

    private static readonly ResourceAmounts OneCpu = new(1000, ResourceAmounts.Mebibytes(64));

    /// <summary>One interrupt allowed everywhere, every online CPU on "powersave" with "performance" available.</summary>
    private static void WriteFakeMachine(string root, CpuSet online)
    {
        Directory.CreateDirectory(Path.Combine(root, "proc/irq/9"));
        File.WriteAllText(Path.Combine(root, "proc/irq/9/smp_affinity_list"), online + "\n");
        foreach (int cpu in online)
        {
            string cpufreq = Path.Combine(root, $"sys/devices/system/cpu/cpu{cpu}/cpufreq");
            Directory.CreateDirectory(cpufreq);
            File.WriteAllText(Path.Combine(cpufreq, "scaling_governor"), "powersave\n");
            File.WriteAllText(Path.Combine(cpufreq, "scaling_available_governors"), "performance powersave\n");
        }
    }

    private static string Governor(string root, int cpu) =>
        File.ReadAllText(Path.Combine(root, $"sys/devices/system/cpu/cpu{cpu}/cpufreq/scaling_governor")).Trim();

    /// <summary>A copy as an operator installs it: root's, mode 755.</summary>
    private static void Install(string source, string destination)
    {
        File.Copy(source, destination);
        File.SetUnixFileMode(destination, (UnixFileMode)0b111_101_101);
    }

    private static async Task<string> WaitForLineAsync(string file, Func<string, bool> match, string what, ExternalPlugin plugin, CancellationToken token)
    {
        var deadline = DateTime.UtcNow + Timeouts.PluginLog;
        while (true)
        {
            string? line = File.Exists(file) ? File.ReadLines(file).LastOrDefault(match) : null;
            if (line is not null)
            {
                return line;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"no hook run for {what} within {Timeouts.PluginLog}; hooks saw:\n{(File.Exists(file) ? File.ReadAllText(file) : "(nothing)")}\nplugin output:\n{plugin.Output}");
            }
            await Task.Delay(20, token);
        }
    }
}
