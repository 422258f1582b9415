namespace ResMgrLite.Host.Cgroups;

/// <summary>
/// What <see cref="CgroupWriter.Apply"/> did. On failure every write it had made was rolled back
/// (<see cref="RollbackProblems"/> lists what could not be restored).
/// </summary>
internal sealed record CgroupWriterResult(bool Succeeded, int Written, int Skipped, string? Error, IReadOnlyList<string> RollbackProblems)
{
    public static CgroupWriterResult Success(int written, int skipped) => new(true, written, skipped, null, []);
}
