using ResMgrLite.EndToEnd.Tests.Support;

namespace ResMgrLite.EndToEnd.Tests.Vm;

/// <summary>
/// A fact that boots the test VM with the published binary as containerd's pre-launched plugin.
/// Skipped where the VM cannot run, and while the binary has no working `run` command (the NRI
/// plugin not yet wired into Program.cs): containerd 1.7.24 exits when a pre-launched plugin
/// does not register, so there would be nothing to test.
/// </summary>
public sealed class VmPluginFactAttribute : FactAttribute
{
    public VmPluginFactAttribute()
    {
        Skip = VmEnvironment.Current.NotRunnableReason ?? PublishedPlugin.NotWiredReason;
    }
}
