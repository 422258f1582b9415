using ResMgrLite.Config.Settings;

namespace ResMgrLite.Config.Reload;

/// <summary>
/// What a reload does: <see cref="Effective"/> is the running settings with the safe changes
/// applied and every refused change left at its old value.
/// </summary>
internal sealed record ReloadResult(ResMgrSettings Effective, IReadOnlyList<ConfigChange> Applied, IReadOnlyList<RefusedChange> Refused);
