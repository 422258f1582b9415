namespace ResMgrLite.EndToEnd.Tests.Vm;

/// <summary>
/// A theory that boots the test VM, once per runtime: skipped, with the reason, only where the VM
/// cannot run at all (<see cref="VmEnvironment.NotRunnableReason"/>). As root on x86_64 (CI) it
/// always runs, and a missing dependency is a failure, not a skip.
/// </summary>
public sealed class VmTheoryAttribute : TheoryAttribute
{
    public VmTheoryAttribute()
    {
        if (VmEnvironment.Current.NotRunnableReason is { } reason)
        {
            Skip = reason;
        }
    }
}
