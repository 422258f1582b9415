namespace ResMgrLite.Config.Settings;

/// <summary>spec/resource-managers.md §6.1.</summary>
public enum MemoryReservationPolicy
{
    None,
    TieredReservation,
}
