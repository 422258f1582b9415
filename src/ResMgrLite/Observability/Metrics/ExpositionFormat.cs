namespace ResMgrLite.Observability.Metrics;

/// <summary>The two text formats a scraper may ask for.</summary>
internal enum ExpositionFormat
{
    /// <summary>Prometheus text format 0.0.4: what every Prometheus and node_exporter reads.</summary>
    Prometheus,

    /// <summary>OpenMetrics 1.0.0 text: counters as <c>_total</c> samples of a family without it, units, <c># EOF</c>.</summary>
    OpenMetrics,
}

internal static class ExpositionFormats
{
    public const string PrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";
    public const string OpenMetricsContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private const string OpenMetricsMediaType = "application/openmetrics-text";

    public static string ContentType(ExpositionFormat format) =>
        format == ExpositionFormat.OpenMetrics ? OpenMetricsContentType : PrometheusContentType;

    /// <summary>
    /// OpenMetrics when the Accept header lists <c>application/openmetrics-text</c> with a version this
    /// writer speaks (1.0.0, or none, or 0.0.1 which Prometheus still offers) and a q above 0;
    /// everything else, including no header, gets the 0.0.4 text.
    /// </summary>
    public static ExpositionFormat FromAccept(ReadOnlySpan<char> accept)
    {
        while (!accept.IsEmpty)
        {
            ReadOnlySpan<char> mediaRange = NextPart(ref accept, ',');
            ReadOnlySpan<char> type = NextPart(ref mediaRange, ';');
            if (!type.Trim().Equals(OpenMetricsMediaType, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            bool acceptable = true;
            while (!mediaRange.IsEmpty)
            {
                ReadOnlySpan<char> parameter = NextPart(ref mediaRange, ';');
                int equals = parameter.IndexOf('=');
                if (equals < 0)
                {
                    continue;
                }
                ReadOnlySpan<char> name = parameter[..equals].Trim();
                ReadOnlySpan<char> value = parameter[(equals + 1)..].Trim().Trim('"');
                if (name.Equals("version", StringComparison.OrdinalIgnoreCase))
                {
                    acceptable &= value is "1.0.0" or "0.0.1";
                }
                else if (name.Equals("q", StringComparison.OrdinalIgnoreCase))
                {
                    acceptable &= double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double q) && q > 0;
                }
            }
            if (acceptable)
            {
                return ExpositionFormat.OpenMetrics;
            }
        }
        return ExpositionFormat.Prometheus;
    }

    /// <summary>The text up to <paramref name="separator"/> (or all of it); <paramref name="rest"/> keeps what follows.</summary>
    private static ReadOnlySpan<char> NextPart(ref ReadOnlySpan<char> rest, char separator)
    {
        int at = rest.IndexOf(separator);
        ReadOnlySpan<char> part = at < 0 ? rest : rest[..at];
        rest = at < 0 ? [] : rest[(at + 1)..];
        return part;
    }
}
