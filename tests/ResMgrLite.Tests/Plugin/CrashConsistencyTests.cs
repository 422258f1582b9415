using Xunit.Abstractions;

namespace ResMgrLite.Tests.Plugin;

/// <summary>Crash consistency: ≥ 200 SIGKILLs of the real binary, 0 violations (see <see cref="CrashConsistencyRun"/>).</summary>
[Collection(AloneCollection.Name)]
public sealed class CrashConsistencyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Survives_two_hundred_kills_without_violations()
    {
        using var run = new CrashConsistencyRun(output, seed: 7);
        await run.RunAsync(kills: 210);
        Assert.True(run.Kills >= 200, $"only {run.Kills} kills");
        Assert.True(run.Admitted > 100, $"only {run.Admitted} containers admitted: the stream did not exercise the plugin");
        Assert.True(run.Violations.Count == 0, $"kills: {run.Kills}, violations: {run.Violations.Count}\n" + string.Join("\n", run.Violations.Take(20)));
    }

    [SoakFact]
    [Trait("Category", "Soak")]
    public async Task SoakSurvivesThousandsOfKillsWithoutViolations()
    {
        int seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        using var run = new CrashConsistencyRun(output, seed);
        await run.RunAsync(kills: 3000);
        Assert.True(run.Violations.Count == 0, $"seed {seed}: kills: {run.Kills}, violations: {run.Violations.Count}\n" + string.Join("\n", run.Violations.Take(20)));
    }
}
