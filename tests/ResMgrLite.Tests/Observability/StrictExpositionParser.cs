using System.Globalization;
using System.Text.RegularExpressions;

namespace ResMgrLite.Tests.Observability;

/// <summary>
/// A strict parser of the Prometheus text format 0.0.4 and OpenMetrics 1.0.0 text, written from the
/// format specifications (not from the writer under test): it rejects anything a real scraper may
/// reject — bad names, bad escapes, samples outside their family, HELP/TYPE after samples, a family
/// declared twice, duplicate series, non-cumulative or unordered buckets, a +Inf bucket that differs
/// from _count, a missing or misplaced # EOF, UNIT not matching the name — and returns every sample.
/// </summary>
internal sealed partial class StrictExpositionParser
{
    private readonly bool _openMetrics;
    private readonly Dictionary<string, Family> _families = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _samples = new(StringComparer.Ordinal);
    private Family? _current;

    private StrictExpositionParser(bool openMetrics) => _openMetrics = openMetrics;

    public sealed record Family(string Name, string Type)
    {
        public string? Help { get; set; }

        public string? Unit { get; set; }

        public bool HasSamples { get; set; }

        public List<(string Series, double Le, double Count)> Buckets { get; } = [];
    }

    /// <summary>Every sample: <c>name{label="value",...}</c> (labels sorted by name) → value.</summary>
    public IReadOnlyDictionary<string, double> Samples => _samples;

    public IReadOnlyDictionary<string, Family> Families => _families;

    public double this[string series] => _samples.TryGetValue(series, out double value) ? value : throw new Xunit.Sdk.XunitException($"no sample {series}; have: {string.Join(", ", _samples.Keys.Take(80))}");

    public static StrictExpositionParser Parse(string text, bool openMetrics)
    {
        var parser = new StrictExpositionParser(openMetrics);
        parser.ParseAll(text);
        return parser;
    }

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();

    private void ParseAll(string text)
    {
        Check(text.EndsWith('\n'), "the exposition must end with a newline");
        string[] lines = text[..^1].Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (_openMetrics && line == "# EOF")
            {
                Check(i == lines.Length - 1, "nothing may follow # EOF");
                FinishFamily();
                return;
            }
            if (line.StartsWith('#'))
            {
                ParseComment(line);
            }
            else
            {
                Check(line.Length > 0, _openMetrics ? "OpenMetrics allows no empty lines" : "unexpected empty line");
                ParseSample(line);
            }
        }
        Check(!_openMetrics, "an OpenMetrics exposition must end with # EOF");
        FinishFamily();
    }

    private void ParseComment(string line)
    {
        string[] parts = line.Split(' ', 4);
        if (parts.Length < 3 || parts[1] is not ("HELP" or "TYPE" or "UNIT"))
        {
            Check(!_openMetrics, $"OpenMetrics allows only HELP, TYPE and UNIT comments: {line}");
            return;
        }
        string name = parts[2];
        Check(MetricName().IsMatch(name), $"bad metric name in {line}");
        Family family = Declare(name);
        switch (parts[1])
        {
            case "TYPE":
                Check(parts.Length == 4, $"TYPE needs a type: {line}");
                Check(parts[3] is "counter" or "gauge" or "histogram" or "summary" or "untyped" or "unknown" or "info" or "stateset" or "gaugehistogram", $"unknown type: {line}");
                Check(family.Type == "", $"TYPE given twice for {name}");
                Check(!family.HasSamples, $"TYPE after samples of {name}");
                _families[name] = new Family(name, parts[3]) { Help = family.Help, Unit = family.Unit };
                _current = _families[name];
                if (_openMetrics && parts[3] == "counter")
                {
                    Check(!name.EndsWith("_total", StringComparison.Ordinal), $"an OpenMetrics counter family is named without _total: {name}");
                }
                break;
            case "HELP":
                Check(family.Help is null, $"HELP given twice for {name}");
                family.Help = Unescape(parts.Length == 4 ? parts[3] : "", quoteAllowed: _openMetrics);
                break;
            default:
                Check(_openMetrics, "UNIT exists only in OpenMetrics");
                Check(parts.Length == 4 && name.EndsWith("_" + parts[3], StringComparison.Ordinal), $"the family name must end with its unit: {line}");
                family.Unit = parts[3];
                break;
        }
    }

    private Family Declare(string name)
    {
        if (_current?.Name == name)
        {
            return _current;
        }
        FinishFamily();
        Check(!_families.ContainsKey(name), $"family {name} appears twice (families must be contiguous)");
        _current = new Family(name, "");
        _families[name] = _current;
        return _current;
    }

    private void ParseSample(string line)
    {
        int brace = line.IndexOf('{');
        int space = line.IndexOf(' ');
        Check(space > 0, $"sample without value: {line}");
        string name = brace >= 0 && brace < space ? line[..brace] : line[..space];
        Check(MetricName().IsMatch(name), $"bad sample name: {line}");
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        int rest;
        if (brace >= 0 && brace < space)
        {
            rest = ParseLabels(line, brace + 1, labels);
        }
        else
        {
            rest = name.Length;
        }
        Check(rest < line.Length && line[rest] == ' ', $"expected a space before the value: {line}");
        string[] tail = line[(rest + 1)..].Split(' ');
        Check(tail.Length is 1 or 2, $"unexpected text after the value: {line}");
        double value = ParseNumber(tail[0], line);
        Family family = FamilyOf(name, line);
        family.HasSamples = true;
        string series = name + "{" + string.Join(",", labels.Select(l => $"{l.Key}=\"{l.Value}\"")) + "}";
        Check(_samples.TryAdd(series, value), $"duplicate series {series}");
        if (name.EndsWith("_bucket", StringComparison.Ordinal) && family.Type == "histogram")
        {
            Check(labels.TryGetValue("le", out string? le), $"bucket without le: {line}");
            labels.Remove("le");
            family.Buckets.Add((string.Join(",", labels.Select(l => $"{l.Key}={l.Value}")), ParseNumber(le!, line), value));
        }
        if (family.Type == "counter")
        {
            Check(value >= 0, $"negative counter: {line}");
        }
    }

    private Family FamilyOf(string sample, string line)
    {
        Check(_current is not null, $"sample before any TYPE: {line}");
        Family family = _current!;
        string suffix = sample.Length > family.Name.Length && sample.StartsWith(family.Name, StringComparison.Ordinal) ? sample[family.Name.Length..] : sample == family.Name ? "" : "<other>";
        bool fits = (family.Type, _openMetrics) switch
        {
            ("counter", true) => suffix is "_total" or "_created",
            ("counter", false) => suffix == "",
            ("gauge", _) => suffix == "",
            ("histogram", _) => suffix is "_bucket" or "_sum" or "_count" or "_created",
            _ => suffix == "",
        };
        Check(fits, $"sample {sample} does not belong to {family.Type} family {family.Name}");
        return family;
    }

    private int ParseLabels(string line, int position, SortedDictionary<string, string> labels)
    {
        while (true)
        {
            Check(position < line.Length, $"unterminated labels: {line}");
            if (line[position] == '}')
            {
                return position + 1;
            }
            int equals = line.IndexOf('=', position);
            Check(equals > position, $"bad label: {line}");
            string name = line[position..equals];
            Check(LabelName().IsMatch(name), $"bad label name '{name}': {line}");
            Check(equals + 1 < line.Length && line[equals + 1] == '"', $"label value must be quoted: {line}");
            int i = equals + 2;
            var value = new System.Text.StringBuilder();
            while (true)
            {
                Check(i < line.Length, $"unterminated label value: {line}");
                char c = line[i];
                if (c == '"')
                {
                    break;
                }
                if (c == '\\')
                {
                    Check(i + 1 < line.Length && line[i + 1] is '\\' or '"' or 'n', $"bad escape in label value: {line}");
                    value.Append(line[i + 1] == 'n' ? '\n' : line[i + 1]);
                    i += 2;
                    continue;
                }
                Check(c != '\n', "raw newline in label value");
                value.Append(c);
                i++;
            }
            Check(labels.TryAdd(name, value.ToString()), $"label {name} twice: {line}");
            position = i + 1;
            Check(position < line.Length, $"unterminated labels: {line}");
            if (line[position] == ',')
            {
                position++;
                Check(!_openMetrics || line[position] != '}', $"OpenMetrics allows no trailing comma: {line}");
            }
            else
            {
                Check(line[position] == '}', $"expected , or }} in labels: {line}");
            }
        }
    }

    private static double ParseNumber(string text, string line)
    {
        switch (text)
        {
            case "+Inf" or "Inf":
                return double.PositiveInfinity;
            case "-Inf":
                return double.NegativeInfinity;
            case "NaN":
                return double.NaN;
        }
        Check(NumberPattern().IsMatch(text), $"bad number '{text}': {line}");
        return double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?$")]
    private static partial Regex NumberPattern();

    private void FinishFamily()
    {
        if (_current is null)
        {
            return;
        }
        Family family = _current;
        Check(family.Type != "", $"family {family.Name} has no TYPE");
        if (family.Type == "histogram")
        {
            foreach (IGrouping<string, (string Series, double Le, double Count)> series in family.Buckets.GroupBy(b => b.Series))
            {
                var buckets = series.ToList();
                for (int i = 1; i < buckets.Count; i++)
                {
                    Check(buckets[i].Le > buckets[i - 1].Le, $"{family.Name}: buckets not in ascending le order");
                    Check(buckets[i].Count >= buckets[i - 1].Count, $"{family.Name}: buckets not cumulative");
                }
                Check(double.IsPositiveInfinity(buckets[^1].Le), $"{family.Name}: no +Inf bucket");
                string count = family.Name + "_count{" + string.Join(",", series.Key.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => { string[] kv = p.Split('=', 2); return $"{kv[0]}=\"{kv[1]}\""; })) + "}";
                Check(_samples.TryGetValue(count, out double total) && total == buckets[^1].Count, $"{family.Name}: +Inf bucket differs from _count");
            }
        }
        _current = null;
    }

    private static string Unescape(string text, bool quoteAllowed)
    {
        var result = new System.Text.StringBuilder();
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                Check(i + 1 < text.Length && (text[i + 1] is '\\' or 'n' || (quoteAllowed && text[i + 1] == '"')), $"bad escape in HELP: {text}");
                result.Append(text[i + 1] == 'n' ? '\n' : text[i + 1]);
                i++;
            }
            else
            {
                result.Append(text[i]);
            }
        }
        return result.ToString();
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new FormatException(message);
        }
    }
}
