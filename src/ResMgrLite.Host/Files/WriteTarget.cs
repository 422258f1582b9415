namespace ResMgrLite.Host.Files;

/// <summary>What a file opened for writing is, which decides the rules of <see cref="HostFile.OpenForWriting"/>.</summary>
internal enum WriteTarget
{
    /// <summary>A file an operator named (a log): a symbolic link is followed, a character device such as /dev/null is allowed, lines are appended.</summary>
    OperatorFile,

    /// <summary>A file the plugin owns (a temporary state file, a metrics text file): never through a link, a regular file only, truncated.</summary>
    OwnFile,
}
