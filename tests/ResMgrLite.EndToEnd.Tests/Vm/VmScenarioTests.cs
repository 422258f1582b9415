using System.Diagnostics;
using ResMgrLite.CriTool.Sandbox;
using ResMgrLite.EndToEnd.Tests.Support;
using Xunit.Abstractions;

namespace ResMgrLite.EndToEnd.Tests.Vm;

/// <summary>
/// The two-NUMA cgroup v2 VM, booted once per runtime (tests/e2e/runtimes): the infrastructure
/// (two NUMA nodes with SMT pairs, cgroup v2 only, CRI driven from the host, cgroup files read in
/// the guest, clean power-off), then <see cref="RuntimeScenario"/> (containerd without a plugin:
/// what runc alone does with CRI values), then containerd restarted with the published binary
/// pre-launched and <see cref="PluginScenario"/>. One boot per runtime instead of one per part
/// keeps the suite's time down: a boot under software emulation costs 25-40 s.
/// docs/vm-e2e.md describes the whole setup.
/// </summary>
[Collection(RealContainerdCollection.Name)]
public sealed class VmScenarioTests
{
    /// <summary>
    /// Boot, both parts and power-off take about 3 minutes under TCG on an idle machine, 7 and more
    /// on a loaded one; a hang fails instead of blocking CI (qemu itself is ended after 20, boot.sh).
    /// </summary>
    private static readonly TimeSpan ScenarioTimeout = TimeSpan.FromMinutes(15);

    private readonly ITestOutputHelper _output;

    public VmScenarioTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [VmTheory]
    [MemberData(nameof(Runtimes.Names), MemberType = typeof(Runtimes))]
    public async Task Two_numa_cgroup_v2_vm_runs_cri_pods_and_then_the_plugin(string containerd)
    {
        var runtime = ContainerdRuntime.Find(containerd);
        using var cancellation = new CancellationTokenSource(ScenarioTimeout);
        var token = cancellation.Token;
        var clock = Stopwatch.StartNew();
        var checks = new ScenarioChecks();
        await using var vm = await TestVm.StartAsync(VmEnvironment.Current, "scenario", runtime, plugin: null, token);
        _output.WriteLine($"{runtime}: boot to CRI ready: {vm.BootDuration.TotalSeconds:0.0} s");
        GuestChecks.Topology(checks, vm.Facts);
        GuestChecks.CgroupV2(checks, vm.Facts);

        await RuntimeScenario.RunAsync(checks, vm, token);
        _output.WriteLine($"{runtime}: runtime part done: {clock.Elapsed.TotalSeconds:0.0} s");

        var plugin = new VmPlugin(VmEnvironment.Current.E2e.RequireBinary(), VmPluginConfig.FileName, VmPluginConfig.Text);
        await vm.StepAsync("restart containerd with the plugin", () => vm.RestartContainerdAsync(plugin, token));
        _output.WriteLine($"{runtime}: containerd restarted with the plugin: {clock.Elapsed.TotalSeconds:0.0} s");
        await PluginScenario.RunAsync(checks, vm, token);
        _output.WriteLine($"{runtime}: plugin part done: {clock.Elapsed.TotalSeconds:0.0} s");

        await vm.StepAsync("power off", () => GuestChecks.PowerOffAsync(checks, vm, token));
        _output.WriteLine($"{runtime}: whole scenario (boot to qemu exit): {clock.Elapsed.TotalSeconds:0.0} s");
        _output.WriteLine(checks.Summary());
        checks.AssertAllPassed(vm.Diagnostics);
    }
}
