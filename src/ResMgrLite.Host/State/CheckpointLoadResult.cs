using ResMgrLite.Engine.State;

namespace ResMgrLite.Host.State;

internal enum CheckpointStatus
{
    /// <summary>No state file: first start on this node (or the operator deleted it).</summary>
    Missing,

    /// <summary>The file was read, its version understood and its checksum matched.</summary>
    Loaded,

    /// <summary>The file exists but cannot be trusted; <see cref="CheckpointLoadResult.Error"/> says why.</summary>
    Invalid,
}

/// <summary>The outcome of reading the state file.</summary>
/// <param name="Error">"&lt;path&gt;: &lt;problem&gt;" when <see cref="Status"/> is Invalid.</param>
internal sealed record CheckpointLoadResult(CheckpointStatus Status, EngineSnapshot? Snapshot, string? Error);
