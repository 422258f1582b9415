namespace ResMgrLite.Engine;

/// <summary>
/// The outcome of starting the engine: the engine, or every configuration problem in words (the
/// caller reports them with its own context; nothing is thrown for a configuration a user wrote).
/// </summary>
public sealed record EngineStartResult(ResourceEngine? Engine, IReadOnlyList<string> Problems)
{
    public bool Started => Engine is not null;
}
