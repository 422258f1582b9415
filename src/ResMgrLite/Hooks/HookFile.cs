namespace ResMgrLite.Hooks;

/// <summary>One entry of the hooks directory: run it, or why not.</summary>
/// <param name="name">The file name (hooks run in ordinal order of it).</param>
/// <param name="path">The full path that is executed.</param>
/// <param name="refusal">Why it must not run (a safety check failed); null when it may run.</param>
/// <param name="ignored">Why it is not a hook at all (not executable, a backup file); null otherwise.</param>
internal sealed class HookFile(string name, string path, string? refusal, string? ignored)
{
    public string Name { get; } = name;

    public string Path { get; } = path;

    public string? Refusal { get; } = refusal;

    public string? Ignored { get; } = ignored;
}
