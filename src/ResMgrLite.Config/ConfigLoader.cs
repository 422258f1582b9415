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
        var ordered = problems
            .Select((problem, index) => (problem, index))
            .OrderBy(p => p.problem.Location.Line == 0 ? 1 : 0)
            .ThenBy(p => p.problem.Location.Source, StringComparer.Ordinal)
            .ThenBy(p => p.problem.Location.Line)
            .ThenBy(p => p.problem.Location.Column)
            .ThenBy(p => p.index)
            .Select(p => p.problem)
            .ToList();
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
}
