namespace ResMgrLite.Engine;

/// <summary>
/// The outcome of starting the engine: the engine, or every configuration problem in words (the
/// caller reports them with its own context; nothing is thrown for a configuration a user wrote).
/// </summary>
internal sealed class EngineStartResult(ResourceEngine? engine, IReadOnlyList<string> problems)
{
    public ResourceEngine? Engine => engine;

    public IReadOnlyList<string> Problems => problems;

    public bool Started => engine is not null;
}
