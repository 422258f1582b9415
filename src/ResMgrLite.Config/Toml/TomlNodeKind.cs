namespace ResMgrLite.Config.Toml;

/// <summary>The TOML 1.0 value types; the four date-time kinds are kept apart as the spec does.</summary>
internal enum TomlNodeKind
{
    Table,
    Array,
    String,
    Integer,
    Float,
    Boolean,
    OffsetDateTime,
    LocalDateTime,
    LocalDate,
    LocalTime,
}
