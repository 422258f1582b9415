namespace ResMgrLite.Config.Tests;

/// <summary>Finds the repository root: RESMGRLITE_REPO (set by build.sh) or the folder holding ResMgrLite.sln.</summary>
internal static class RepositoryLocator
{
    private static readonly Lazy<string> Root = new(Find);

    public static string RepositoryRoot => Root.Value;

    public static string ConfigTestsDirectory => Path.Combine(RepositoryRoot, "tests", "ResMgrLite.Config.Tests");

    private static string Find()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("RESMGRLITE_REPO");
        if (!string.IsNullOrEmpty(fromEnvironment) && File.Exists(Path.Combine(fromEnvironment, "ResMgrLite.sln")))
        {
            return fromEnvironment;
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ResMgrLite.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (no RESMGRLITE_REPO and no ResMgrLite.sln above the test binaries)");
    }
}
