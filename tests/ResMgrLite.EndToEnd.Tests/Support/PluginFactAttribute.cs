using ResMgrLite.CriTool.Sandbox;

namespace ResMgrLite.EndToEnd.Tests.Support;

/// <summary>
/// A fact that runs the published resmgrlite binary as an NRI plugin in a real containerd.
/// Skipped only when not root, or while the published binary has no `run` command at all (the
/// plugin not yet wired into the executable); a missing binary is a failure.
/// </summary>
public sealed class PluginFactAttribute : FactAttribute
{
    public PluginFactAttribute()
    {
        Skip = E2eEnvironment.Current.NotRunnableReason ?? PublishedPlugin.NotWiredReason;
    }
}
