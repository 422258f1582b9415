using ResMgrLite.TestSupport;

namespace ResMgrLite.Tests.Plugin;

/// <summary>
/// A fact that drives the published binary with the real NRI runtime libraries of
/// <c>../shared/tools/nri-harness</c>; skipped, saying so, where that directory is not next to the checkout.
/// </summary>
public sealed class NriHarnessFactAttribute : FactAttribute
{
    public NriHarnessFactAttribute()
    {
        if (!File.Exists(Harness("v012")) || !File.Exists(Harness("v061")))
        {
            Skip = $"needs the real NRI runtime libraries in {BinDirectory} (../shared/tools/nri-harness next to the repository), which is absent here";
        }
    }

    public static string BinDirectory => Path.GetFullPath(Path.Combine(RepoPaths.Root, "..", "shared", "tools", "nri-harness", "bin"));

    /// <summary>The runtime harness for NRI "v012" (v0.12.2, containerd 2.3) or "v061" (v0.6.1, containerd 1.7.24).</summary>
    public static string Harness(string version) => Path.Combine(BinDirectory, $"nri-runtime-harness-{version}");
}
