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
        foreach (Range range in accept.Split(','))
        {
            ReadOnlySpan<char> mediaRange = accept[range];
            ReadOnlySpan<char> type = mediaRange;
            int semicolon = mediaRange.IndexOf(';');
            if (semicolon >= 0)
            {
                type = mediaRange[..semicolon];
            }
            if (!type.Trim().Equals(OpenMetricsMediaType, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            bool acceptable = true;
            if (semicolon >= 0)
            {
                ReadOnlySpan<char> parameters = mediaRange[(semicolon + 1)..];
                foreach (Range p in parameters.Split(';'))
                {
                    ReadOnlySpan<char> parameter = parameters[p].Trim();
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
            }
            if (acceptable)
            {
                return ExpositionFormat.OpenMetrics;
            }
        }
        return ExpositionFormat.Prometheus;
    }
}
