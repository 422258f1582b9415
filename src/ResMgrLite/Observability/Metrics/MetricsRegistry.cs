using System.Text;

namespace ResMgrLite.Observability.Metrics;

/// <summary>
/// The set of metric families one process exposes, in a fixed order. Families are added once at
/// start; updates go straight to their series (lock-free). Rendering reads every series once.
/// </summary>
internal sealed class MetricsRegistry
{
    private readonly List<MetricFamily> _families = [];
    private readonly List<Action> _beforeRender = [];

    public IReadOnlyList<MetricFamily> Families => _families;

    public T Add<T>(T family)
        where T : MetricFamily
    {
        ArgumentNullException.ThrowIfNull(family);
        if (!IsValidName(family.Name))
        {
            throw new ArgumentException($"'{family.Name}' is not a valid metric name");
        }
        if (_families.Exists(f => f.Name == family.Name))
        {
            throw new ArgumentException($"metric {family.Name} is defined twice");
        }
        _families.Add(family);
        return family;
    }

    /// <summary>Runs before every render (e.g. reading /proc for the process metrics).</summary>
    public void BeforeRender(Action refresh) => _beforeRender.Add(refresh);

    /// <summary>The exposition text; <paramref name="include"/> can leave families out (the textfile omits process metrics).</summary>
    public string Render(ExpositionFormat format, Func<MetricFamily, bool>? include = null)
    {
        var text = new StringBuilder(8192);
        RenderInto(text, format, include);
        return text.ToString();
    }

    /// <summary>
    /// Appends the exposition to <paramref name="text"/>: the endpoint renders into one builder it
    /// keeps, so a scrape allocates almost nothing (the GC of a Native-AOT process collects late,
    /// and every allocated byte first shows up as RSS).
    /// </summary>
    public void RenderInto(StringBuilder text, ExpositionFormat format, Func<MetricFamily, bool>? include = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (Action refresh in _beforeRender)
        {
            refresh();
        }
        var writer = new ExpositionWriter(text, format);
        foreach (MetricFamily family in _families)
        {
            if (include is null || include(family))
            {
                writer.WriteFamily(family);
            }
        }
        writer.Finish();
    }

    private static bool IsValidName(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            return false;
        }
        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_' && c != ':')
            {
                return false;
            }
        }
        return true;
    }
}
