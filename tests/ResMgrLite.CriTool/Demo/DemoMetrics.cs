using System.Globalization;
using System.Text;

namespace ResMgrLite.CriTool.Demo;

/// <summary>
/// The end of the demo: where the plugin's metrics are (one line an operator can paste into a
/// shell) and a few of the values it serves there, read with a real scrape.
/// </summary>
internal static class DemoMetrics
{
    /// <summary>The series shown, in this order (the plugin serves many more).</summary>
    private static readonly string[] Shown =
    [
        "resmgrlite_resource_management_active",
        "kubelet_cpu_manager_exclusive_cpu_allocation_count",
        "kubelet_cpu_manager_shared_pool_size_millicores",
        "kubelet_cpu_manager_pinning_requests_total",
        "kubelet_topology_manager_admission_requests_total",
        "resmgrlite_nri_request_duration_seconds_count{event=\"CreateContainer\"}",
        "resmgrlite_state_saves_total{result=\"ok\"}",
        "process_resident_memory_bytes",
    ];

    public static async Task<string> ScrapeAsync(int port, CancellationToken cancellationToken)
    {
        var url = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/metrics");
        var text = new StringBuilder();
        text.Append("demo: metrics at ").Append(url).Append("  (curl -s ").Append(url).AppendLine(" while the plugin runs)");
        string exposition;
        try
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            exposition = await client.GetStringAsync(url, cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return text.Append("demo: the metrics endpoint did not answer: ").Append(exception.Message).ToString();
        }
        foreach (var wanted in Shown)
        {
            var line = exposition.Split('\n').FirstOrDefault(l => l.StartsWith(wanted, StringComparison.Ordinal) && (l.Length == wanted.Length || l[wanted.Length] is ' ' or '{'));
            text.Append("  ").AppendLine(line ?? $"{wanted} (not served)");
        }
        return text.ToString().TrimEnd();
    }
}
