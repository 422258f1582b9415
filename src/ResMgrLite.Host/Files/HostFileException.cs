namespace ResMgrLite.Host.Files;

/// <summary>What kept a host file from being read or written.</summary>
internal enum HostFileProblem
{
    /// <summary>The kernel refused the operation (<see cref="HostFileException.Errno"/> says why).</summary>
    SystemError,

    /// <summary>A FIFO, device, socket, directory or symbolic link where a regular file was expected.</summary>
    NotARegularFile,

    /// <summary>Larger than the limit for its kind.</summary>
    TooLarge,

    /// <summary>The path itself is unusable (empty, or holds a NUL character).</summary>
    BadPath,
}

/// <summary>
/// A host file could not be used; the message names the file and says what is wrong in words.
/// An <see cref="IOException"/> so callers that handle I/O failures handle this one too; its
/// HResult is the errno for <see cref="HostFileProblem.SystemError"/>.
/// </summary>
internal sealed class HostFileException : IOException
{
    public HostFileException()
        : this("", HostFileProblem.SystemError, "cannot be used")
    {
    }

    public HostFileException(string message)
        : this("", HostFileProblem.SystemError, message)
    {
    }

    public HostFileException(string message, Exception innerException)
        : base(message, innerException)
    {
        FilePath = "";
        Reason = message;
    }

    public HostFileException(string path, HostFileProblem problem, string reason, int errno = 0)
        : base(path.Length == 0 ? reason : $"{path}: {reason}", errno)
    {
        FilePath = path;
        Problem = problem;
        Reason = reason;
    }

    public string FilePath { get; }

    public HostFileProblem Problem { get; }

    /// <summary>The message without the path.</summary>
    public string Reason { get; }

    public int Errno => Problem == HostFileProblem.SystemError ? HResult : 0;
}
