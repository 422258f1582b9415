namespace ResMgrLite.Config.Sources;

/// <summary>
/// The type a value had in its source. TOML and JSON know their types; an environment variable
/// is only text, so it is checked by parsing (<see cref="Untyped"/>).
/// </summary>
internal enum ConfigValueShape
{
    String,
    Integer,
    Float,
    Boolean,
    DateTime,
    Null,
    Untyped,
    Table,
    Array,
}
