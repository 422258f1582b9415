using ResMgrLite.Config.Sources;

namespace ResMgrLite.Config;

/// <summary>One thing wrong with the configuration, anchored where the user can fix it.</summary>
internal sealed record ConfigProblem(ConfigLocation Location, string Message)
{
    public override string ToString() => $"{Location}: {Message}";
}
