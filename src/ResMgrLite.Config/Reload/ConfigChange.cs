namespace ResMgrLite.Config.Reload;

/// <summary>One key whose value differs between the running and the newly delivered configuration.</summary>
internal sealed record ConfigChange(string Key, string OldValue, string NewValue);
