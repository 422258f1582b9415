using ResMgrLite.Config.Options;
using ResMgrLite.Config.Settings;

namespace ResMgrLite.Config;

/// <summary>The outcome of loading configuration: settings when valid, and every problem found.</summary>
internal sealed record ConfigLoadResult(ResMgrSettings? Settings, ResMgrOptions Options, IReadOnlyList<ConfigProblem> Problems)
{
    public bool IsValid => Problems.Count == 0;
}
