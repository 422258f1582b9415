namespace ResMgrLite.TestSupport;

/// <summary>Locates the repository and the published binary from inside a test run.</summary>
internal static class RepoPaths
{
    /// <summary>The repository root: $RESMGRLITE_REPO, else the folder above the test binaries holding ResMgrLite.sln.</summary>
    public static string Root
    {
        get
        {
            string? fromEnv = Environment.GetEnvironmentVariable("RESMGRLITE_REPO");
            if (!string.IsNullOrEmpty(fromEnv) && File.Exists(Path.Combine(fromEnv, "ResMgrLite.sln")))
            {
                return fromEnv;
            }
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ResMgrLite.sln")))
                {
                    return dir.FullName;
                }
            }
            throw new InvalidOperationException("cannot find the repository root (no ResMgrLite.sln above " + AppContext.BaseDirectory + ")");
        }
    }

    /// <summary>The published static binary: $RESMGRLITE_BINARY, else out/resmgrlite in the repository.</summary>
    public static string PublishedBinary
    {
        get
        {
            string? fromEnv = Environment.GetEnvironmentVariable("RESMGRLITE_BINARY");
            return !string.IsNullOrEmpty(fromEnv) ? fromEnv : Path.Combine(Root, "out", "resmgrlite");
        }
    }
}
