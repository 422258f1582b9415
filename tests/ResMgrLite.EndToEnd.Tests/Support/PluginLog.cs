using ResMgrLite.CriTool.Sandbox;

namespace ResMgrLite.EndToEnd.Tests.Support;

/// <summary>
/// Questions about the plugin's log file. Event names are matched loosely (case, '-', '_' and
/// spaces ignored), so "CreateContainer", "create-container" and "create_container" all count;
/// the log format belongs to the plugin, the events to the NRI protocol.
/// </summary>
internal static class PluginLog
{
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
