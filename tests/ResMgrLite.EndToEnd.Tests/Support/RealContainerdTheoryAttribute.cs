using ResMgrLite.CriTool.Sandbox;

namespace ResMgrLite.EndToEnd.Tests.Support;

/// <summary>
/// A theory that needs a real containerd, run once per runtime (<see cref="Runtimes.Names"/>):
/// skipped, with the reason, only when not root. As root (CI) it always runs, and a missing
/// dependency is a failure, not a skip.
/// </summary>
public sealed class RealContainerdTheoryAttribute : TheoryAttribute
{
    public RealContainerdTheoryAttribute()
    {
        if (E2eEnvironment.Current.NotRunnableReason is { } reason)
        {
            Skip = reason;
        }
    }
}
