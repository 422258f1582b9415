namespace ResMgrLite.Config.Schema;

/// <summary>
/// One documented configuration key. <see cref="Pattern"/> is a ':'-separated path in which
/// <c>*</c> stands for any map key and <c>#</c> for an array index.
/// </summary>
internal sealed record ConfigKey(
    string Pattern,
    ConfigValueType Type,
    string Default,
    string? KubeletName,
    ReloadBehavior Reload,
    string Description,
    IReadOnlyList<string>? AllowedValues = null)
{
    public IReadOnlyList<string> Segments { get; } = Pattern.Split(':');

    /// <summary>The key as written in TOML (<c>cpuManager.policy</c>, <c>memoryManager.reservedMemory[].numaNode</c>).</summary>
    public string DisplayName => string.Join('.', Segments).Replace(".#", "[]", StringComparison.Ordinal).Replace(".*", ".<name>", StringComparison.Ordinal);
}
