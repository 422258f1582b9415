using ResMgrLite.CriTool.Sandbox;

namespace ResMgrLite.EndToEnd.Tests.Support;

/// <summary>
/// A fact that needs a real containerd: skipped, with the reason, only when not root. As root
/// (CI) it always runs, and a missing dependency is a failure, not a skip.
/// </summary>
public sealed class RealContainerdFactAttribute : FactAttribute
{
    public RealContainerdFactAttribute()
    {
        if (E2eEnvironment.Current.NotRunnableReason is { } reason)
        {
            Skip = reason;
        }
    }
}
