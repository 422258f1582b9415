using ResMgrLite.Host.Files;

namespace ResMgrLite.Plugin;

/// <summary>
/// The files <c>resmgrlite run</c> is told to use, checked before it starts: each problem in
/// words, naming the file and what to do, never the text of a system exception.
/// </summary>
internal static class StartupFileChecks
{
    /// <summary>Null when <paramref name="path"/> can be appended to ("-" is stderr, empty turns logging off).</summary>
    public static string? LogFileProblem(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == PluginLog.StandardError)
        {
            return null;
        }

        string full = Path.GetFullPath(path);
        string? directory = Path.GetDirectoryName(full);
        if (directory is not null && !Directory.Exists(directory))
        {
            return $"cannot write the log file {path}: the directory {directory} does not exist (create it, or choose another --log-file)";
        }

        try
        {
            // Opened the way the log opens it (created if missing, never blocking on a FIFO).
            using FileStream probe = HostFile.OpenForWriting(full, WriteTarget.OperatorFile);
            return null;
        }
        catch (IOException e)
        {
            return $"cannot write the log file {path}: {ErrorText.Of(e, full)} (choose another --log-file, or '-' for stderr)";
        }
    }

    /// <summary>Null when there is no configuration file (defaults) or it exists as a file.</summary>
    public static string? ConfigFileProblem(string? path)
    {
        if (path is null)
        {
            return null;
        }

        if (path.Length == 0)
        {
            return "--config is empty: give a configuration file, or leave --config out for the defaults";
        }

        if (Directory.Exists(path))
        {
            return $"the configuration file {path} is a directory";
        }

        return File.Exists(path) ? null : $"the configuration file {path} does not exist (leave --config out for the defaults)";
    }
}
