namespace ResMgrLite.Observability.Logging;

internal enum LogDestinationKind
{
    Off,
    File,
    StandardError,
    StandardOutput,
    Journal,
}

/// <summary>Where log lines go: a target kind and, for the file target, the file.</summary>
internal readonly record struct LogDestination(LogDestinationKind Kind, string? FilePath)
{
    public static LogDestination StandardError => new(LogDestinationKind.StandardError, null);

    /// <summary>A file path, "-" for stderr, null or empty for off.</summary>
    public static LogDestination FromPath(string? path) => path switch
    {
        null or "" => new(LogDestinationKind.Off, null),
        "-" => StandardError,
        _ => new(LogDestinationKind.File, path),
    };

    /// <summary>From <c>log.target</c> (validated: file, stderr, stdout, journal) and <c>log.file</c>.</summary>
    public static LogDestination FromSettings(string target, string file) => target switch
    {
        "stderr" => StandardError,
        "stdout" => new(LogDestinationKind.StandardOutput, null),
        "journal" => new(LogDestinationKind.Journal, null),
        _ => new(LogDestinationKind.File, file),
    };

    public override string ToString() => Kind switch
    {
        LogDestinationKind.File => FilePath!,
        LogDestinationKind.StandardError => "stderr",
        LogDestinationKind.StandardOutput => "stdout",
        LogDestinationKind.Journal => "the systemd journal (journalctl -t resmgrlite)",
        _ => "nowhere (logging off)",
    };
}
