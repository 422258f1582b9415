namespace ResMgrLite.EndToEnd.Tests.Vm;

/// <summary>
/// A fact that boots the test VM: skipped, with the reason, only where the VM cannot run at all
/// (<see cref="VmEnvironment.NotRunnableReason"/>). As root on x86_64 (CI) it always runs, and a
/// missing dependency is a failure, not a skip.
/// </summary>
public sealed class VmFactAttribute : FactAttribute
{
    public VmFactAttribute()
    {
        if (VmEnvironment.Current.NotRunnableReason is { } reason)
        {
            Skip = reason;
        }
    }
}
