using ResMgrLite.CriTool.Sandbox;

namespace ResMgrLite.EndToEnd.Tests.Support;

/// <summary>
/// Questions about the plugin's log file. Event names are matched loosely (case, '-', '_' and
/// spaces ignored), so "CreateContainer", "create-container" and "create_container" all count;
/// the log format belongs to the plugin, the events to the NRI protocol.
/// </summary>
internal static class PluginLog
{
    /// <summary>
    /// The handshake is done when the plugin has handled Configure, which it logs as one line
    /// naming the runtime and the config it got ("runtime containerd 1.7.24~ds1 …, config N bytes").
    /// </summary>
    public static bool HasConfigured(string log) => Has(log, "runtime", "config");

    public static int ConfiguredCount(string log) => Lines(log, "runtime", "config").Count();

    /// <summary>
    /// Containers the last Synchronize carried, from the plugin's "synchronize: P pods, C containers"
    /// line; -1 when there was none.
    /// </summary>
    public static int LastSynchronizedContainerCount(string log)
    {
        // "synchronize:" — the start-up line may name Synchronize too ("pre-launched plugins get no Synchronize").
        var line = Lines(log, "synchronize:").LastOrDefault();
        if (line is null)
        {
            return -1;
        }

        var match = System.Text.RegularExpressions.Regex.Match(line, @"(\d+)\s*containers?", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        return match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : -1;
    }

    public static Task<string> WaitForConfiguredAsync(string path, CancellationToken cancellationToken) =>
        LogFile.WaitForAsync(path, HasConfigured, Timeouts.PluginLog, "the Configure line (registration done)", cancellationToken);

    public static string Normalize(string text) =>
        new(text.Where(ch => ch is not ('-' or '_' or ' ')).Select(char.ToLowerInvariant).ToArray());

    /// <summary>Lines mentioning <paramref name="eventName"/> and every one of <paramref name="alsoMentioning"/>.</summary>
    public static IEnumerable<string> Lines(string log, string eventName, params string[] alsoMentioning)
    {
        var wanted = Normalize(eventName);
        var extras = alsoMentioning.Select(Normalize).ToArray();
        return log.Split('\n')
            .Where(line =>
            {
                var normalized = Normalize(line);
                return normalized.Contains(wanted, StringComparison.Ordinal) && extras.All(extra => normalized.Contains(extra, StringComparison.Ordinal));
            });
    }

    public static bool Has(string log, string eventName, params string[] alsoMentioning) =>
        Lines(log, eventName, alsoMentioning).Any();

    public static int Count(string log, string eventName) => Lines(log, eventName).Count();

    public static Task<string> WaitForAsync(string path, string eventName, CancellationToken cancellationToken, params string[] alsoMentioning) =>
        LogFile.WaitForAsync(
            path,
            log => Has(log, eventName, alsoMentioning),
            Timeouts.PluginLog,
            alsoMentioning.Length == 0 ? $"event {eventName}" : $"event {eventName} mentioning {string.Join(", ", alsoMentioning)}",
            cancellationToken);
}
