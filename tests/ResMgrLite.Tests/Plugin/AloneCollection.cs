namespace ResMgrLite.Tests.Plugin;

/// <summary>Tests that start and kill the published binary hundreds of times: never beside other tests (2 shared cores).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "Runs alone";
}
