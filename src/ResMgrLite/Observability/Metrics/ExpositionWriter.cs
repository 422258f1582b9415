using System.Globalization;
using System.Text;

namespace ResMgrLite.Observability.Metrics;

/// <summary>
/// Writes metric families as Prometheus text 0.0.4 or OpenMetrics 1.0.0 text. The differences it
/// takes care of: an OpenMetrics counter family is named without <c>_total</c> and its sample with
/// it (so a counter named without <c>_total</c>, like the kubelet's
/// <c>resource_manager_container_assignments</c>, still gets a valid sample name); <c># UNIT</c>
/// only where the name ends with the unit; <c>"</c> escaped in HELP; <c>le</c> values as canonical
/// floats (<c>1.0</c>); the closing <c># EOF</c>.
/// </summary>
internal sealed class ExpositionWriter
{
    private const string TotalSuffix = "_total";
    private readonly StringBuilder _text;

    public ExpositionWriter(StringBuilder text, ExpositionFormat format)
    {
        _text = text;
        Format = format;
    }

    public ExpositionFormat Format { get; }

    public void WriteFamily(MetricFamily family)
    {
        ArgumentNullException.ThrowIfNull(family);
        string name = FamilyName(family);
        _text.Append("# HELP ").Append(name).Append(' ');
        AppendEscaped(family.Help, escapeQuote: Format == ExpositionFormat.OpenMetrics);
        _text.Append("\n# TYPE ").Append(name).Append(' ').Append(family.Type switch
        {
            MetricType.Counter => "counter",
            MetricType.Histogram => "histogram",
            _ => "gauge",
        }).Append('\n');
        if (Format == ExpositionFormat.OpenMetrics && family.Unit is { } unit && name.EndsWith("_" + unit, StringComparison.Ordinal))
        {
            _text.Append("# UNIT ").Append(name).Append(' ').Append(unit).Append('\n');
        }
        family.WriteSamples(this);
    }

    /// <summary>Ends the exposition (OpenMetrics requires <c># EOF</c>).</summary>
    public void Finish()
    {
        if (Format == ExpositionFormat.OpenMetrics)
        {
            _text.Append("# EOF\n");
        }
    }

    /// <summary>One sample line; <paramref name="suffix"/> is e.g. <c>_sum</c> for parts of a histogram.</summary>
    public void WriteSample(MetricFamily family, string suffix, IReadOnlyList<string> labelNames, IReadOnlyList<string> labelValues, double value)
    {
        ArgumentNullException.ThrowIfNull(family);
        AppendSampleName(family, suffix);
        AppendLabels(labelNames, labelValues, null);
        _text.Append(' ');
        AppendValue(value, canonical: false);
        _text.Append('\n');
    }

    public void WriteHistogram(MetricFamily family, IReadOnlyList<string> labelNames, IReadOnlyList<string> labelValues, Histogram histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        ReadOnlySpan<double> bounds = histogram.UpperBounds;
        long cumulative = 0;
        for (int i = 0; i <= bounds.Length; i++)
        {
            cumulative += histogram.BucketCount(i);
            _text.Append(family.Name).Append("_bucket");
            AppendLabels(labelNames, labelValues, i < bounds.Length ? bounds[i] : double.PositiveInfinity);
            _text.Append(' ').Append(cumulative).Append('\n');
        }
        WriteSample(family, "_sum", labelNames, labelValues, histogram.Sum);
        _text.Append(family.Name).Append("_count");
        AppendLabels(labelNames, labelValues, null);
        _text.Append(' ').Append(cumulative).Append('\n');
    }

    /// <summary>The family name as this format spells it in HELP/TYPE/UNIT.</summary>
    public string FamilyName(MetricFamily family)
    {
        ArgumentNullException.ThrowIfNull(family);
        return Format == ExpositionFormat.OpenMetrics && family.Type == MetricType.Counter && family.Name.EndsWith(TotalSuffix, StringComparison.Ordinal)
            ? family.Name[..^TotalSuffix.Length]
            : family.Name;
    }

    private void AppendSampleName(MetricFamily family, string suffix)
    {
        if (Format == ExpositionFormat.OpenMetrics && family.Type == MetricType.Counter)
        {
            _text.Append(FamilyName(family)).Append(TotalSuffix);
            return;
        }
        _text.Append(family.Name).Append(suffix);
    }

    /// <param name="le">The bucket bound of a histogram sample, written as the last label; null for none.</param>
    private void AppendLabels(IReadOnlyList<string> names, IReadOnlyList<string> values, double? le)
    {
        if (names.Count == 0 && le is null)
        {
            return;
        }
        _text.Append('{');
        for (int i = 0; i < names.Count; i++)
        {
            if (i > 0)
            {
                _text.Append(',');
            }
            _text.Append(names[i]).Append("=\"");
            AppendEscaped(values[i], escapeQuote: true);
            _text.Append('"');
        }
        if (le is { } bound)
        {
            if (names.Count > 0)
            {
                _text.Append(',');
            }
            _text.Append("le=\"");
            AppendValue(_text, bound, canonical: Format == ExpositionFormat.OpenMetrics);
            _text.Append('"');
        }
        _text.Append('}');
    }

    private void AppendEscaped(string text, bool escapeQuote)
    {
        foreach (char c in text)
        {
            switch (c)
            {
                case '\\':
                    _text.Append("\\\\");
                    break;
                case '\n':
                    _text.Append("\\n");
                    break;
                case '"' when escapeQuote:
                    _text.Append("\\\"");
                    break;
                default:
                    _text.Append(c);
                    break;
            }
        }
    }

    private void AppendValue(double value, bool canonical) => AppendValue(_text, value, canonical);

    /// <summary>Go-compatible numbers: integers without exponent, others shortest round-trip, ±Inf, NaN. No allocation.</summary>
    internal static void AppendValue(StringBuilder text, double value, bool canonical)
    {
        if (double.IsPositiveInfinity(value))
        {
            text.Append("+Inf");
        }
        else if (double.IsNegativeInfinity(value))
        {
            text.Append("-Inf");
        }
        else if (double.IsNaN(value))
        {
            text.Append("NaN");
        }
        else if (value == Math.Floor(value) && Math.Abs(value) < 1e15)
        {
            text.Append((long)value);
            if (canonical)
            {
                text.Append(".0");
            }
        }
        else
        {
            Span<char> digits = stackalloc char[32];
            value.TryFormat(digits, out int written, "R", CultureInfo.InvariantCulture);
            foreach (char c in digits[..written])
            {
                text.Append(c == 'E' ? 'e' : c);
            }
        }
    }
}
