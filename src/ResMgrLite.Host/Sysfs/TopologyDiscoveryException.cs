namespace ResMgrLite.Host.Sysfs;

/// <summary>A sysfs tree could not be turned into a topology; says which path and what was wrong with it.</summary>
internal sealed class TopologyDiscoveryException : Exception
{
    public TopologyDiscoveryException()
        : this(string.Empty, "topology discovery failed")
    {
    }

    public TopologyDiscoveryException(string message)
        : this(string.Empty, message)
    {
    }

    public TopologyDiscoveryException(string message, Exception innerException)
        : this(string.Empty, message, innerException)
    {
    }

    public TopologyDiscoveryException(string path, string problem, Exception? innerException = null)
        : base(path.Length == 0 ? problem : $"{path}: {problem}", innerException)
    {
        Path = path;
        Problem = problem;
    }

    /// <summary>The file or directory at fault.</summary>
    public string Path { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }
}
