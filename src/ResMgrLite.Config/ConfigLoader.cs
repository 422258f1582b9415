using Microsoft.Extensions.Configuration;
using ResMgrLite.Config.Options;
using ResMgrLite.Config.Sources;
using ResMgrLite.Config.Validation;

namespace ResMgrLite.Config;

/// <summary>
/// Loads configuration from sources in override order (typically: the drop-in file or NRI's
/// Configure text, then <see cref="ConfigDocument.FromEnvironment"/>), binds it with the
/// configuration-binding source generator and validates it. Never throws for bad input: every
/// mistake comes back as a positioned <see cref="ConfigProblem"/>.
/// </summary>
internal static class ConfigLoader
{
    /// <param name="machine">Facts for the machine checks (reserved CPUs online, NUMA nodes, memory); null skips them.</param>
    public static ConfigLoadResult Load(IEnumerable<ConfigDocument> documents, MachineFacts? machine)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var problems = new List<ConfigProblem>();
        var builder = new ConfigurationBuilder();
        var locations = new Dictionary<string, ConfigLocation>(StringComparer.OrdinalIgnoreCase);
        foreach (var document in documents)
        {
            problems.AddRange(document.Problems);
            var accepted = EntryChecker.Check(document, problems);
            builder.Add(new ConfigEntrySource(accepted));
            foreach (var entry in accepted)
            {
                locations[entry.Path] = entry.Location;
            }
        }

        // Bound by the source generator (EnableConfigurationBindingGenerator): no reflection.
        var options = builder.Build().Get<ResMgrOptions>() ?? new ResMgrOptions();
        var settings = new SettingsBuilder(options, locations, machine, problems).Build();
        List<ConfigProblem> ordered = InFileOrder(problems);
        return new ConfigLoadResult(ordered.Count == 0 ? settings : null, options, ordered);
    }

    /// <summary>The usual stack: an optional file (read by the caller), then RESMGRLITE__* environment overrides.</summary>
    public static ConfigLoadResult LoadWithEnvironment(ConfigDocument? file, System.Collections.IDictionary environment, MachineFacts? machine)
    {
        var documents = new List<ConfigDocument>(2);
        if (file is not null)
        {
            documents.Add(file);
        }

        documents.Add(ConfigDocument.FromEnvironment(environment));
        return Load(documents, machine);
    }

    /// <summary>
    /// Problems with a place first, by file, line and column; those without one after; equal places keep
    /// the order found. An index sort, not a LINQ chain: the chain's instantiations cost image bytes.
    /// </summary>
    private static List<ConfigProblem> InFileOrder(List<ConfigProblem> problems)
    {
        var order = new int[problems.Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        Array.Sort(order, (a, b) =>
        {
            ConfigLocation x = problems[a].Location, y = problems[b].Location;
            int byPlace = (x.Line == 0 ? 1 : 0) - (y.Line == 0 ? 1 : 0);
            if (byPlace != 0)
            {
                return byPlace;
            }
            int bySource = string.CompareOrdinal(x.Source, y.Source);
            if (bySource != 0)
            {
                return bySource;
            }
            int byLine = x.Line.CompareTo(y.Line);
            if (byLine != 0)
            {
                return byLine;
            }
            int byColumn = x.Column.CompareTo(y.Column);
            return byColumn != 0 ? byColumn : a - b;
        });
        var ordered = new List<ConfigProblem>(order.Length);
        foreach (int i in order)
        {
            ordered.Add(problems[i]);
        }
        return ordered;
    }
}
