namespace ResMgrLite.Nri;

/// <summary>
/// What the runtime made of one UpdateContainers call: every update applied, some named as failed
/// (UpdateContainersResponse.failed), or the call failed as a whole (an error status — containerd
/// 1.7.24 answers any partial failure that way, docs/nri-rules.md §7.5 — no answer within the deadline, no
/// connection), in which case no update of the call can be taken as applied.
/// </summary>
internal sealed class UpdateContainersResult
{
    public static readonly UpdateContainersResult AllApplied = new(failedIds: null, problem: null);

    private readonly string[]? _failedIds;

    private UpdateContainersResult(string[]? failedIds, string? problem)
    {
        _failedIds = failedIds;
        Problem = problem;
    }

    /// <summary>Why the call as a whole failed, in words; null when the runtime answered.</summary>
    public string? Problem { get; }

    /// <summary>How many updates the runtime named as failed (0 when the call failed as a whole).</summary>
    public int NamedFailures => _failedIds?.Length ?? 0;

    public bool AllSucceeded => Problem is null && NamedFailures == 0;

    /// <summary>Whether the runtime acknowledged the update of <paramref name="containerId"/>.</summary>
    public bool Applied(string containerId) => Problem is null && (_failedIds is null || Array.IndexOf(_failedIds, containerId) < 0);

    public static UpdateContainersResult CallFailed(string problem) => new(failedIds: null, problem);

    /// <summary>The runtime answered and named these containers' updates as failed (a few at most: a linear look-up).</summary>
    public static UpdateContainersResult Partly(string[] failedIds) => new(failedIds, problem: null);
}
