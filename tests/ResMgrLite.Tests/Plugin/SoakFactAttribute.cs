namespace ResMgrLite.Tests.Plugin;

/// <summary>
/// A long-running fact for <c>./build.sh soak</c> (which sets RESMGRLITE_SOAK=1 and filters on
/// Category=Soak). <c>./build.sh test</c> runs everything, so elsewhere it reports itself skipped.
/// </summary>
public sealed class SoakFactAttribute : FactAttribute
{
    public SoakFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("RESMGRLITE_SOAK") != "1")
        {
            Skip = "soak test: runs with ./build.sh soak (RESMGRLITE_SOAK=1)";
        }
    }
}
