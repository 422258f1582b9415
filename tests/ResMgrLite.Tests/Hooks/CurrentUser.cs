using System.Runtime.InteropServices;

namespace ResMgrLite.Tests.Hooks;

/// <summary>The test's effective uid: hooks the tests write belong to it, so the runner is told to require it instead of root.</summary>
internal static class CurrentUser
{
    public static uint Id => geteuid();

    [DllImport("libc")]
    private static extern uint geteuid();
}
