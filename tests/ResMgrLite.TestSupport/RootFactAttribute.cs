using Xunit;

namespace ResMgrLite.TestSupport;

/// <summary>
/// A fact that needs root (chroot, containerd, cgroups). Outside root it is reported as skipped
/// with the reason, never silently passed; CI runs as root, so there it always runs.
/// </summary>
internal sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!IsRoot)
        {
            Skip = "needs root (CI runs as root)";
        }
    }

    public static bool IsRoot => Environment.UserName == "root" || GetEuid() == 0;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEuid();
}
