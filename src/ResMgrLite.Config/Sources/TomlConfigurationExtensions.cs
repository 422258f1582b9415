using Microsoft.Extensions.Configuration;

namespace ResMgrLite.Config.Sources;

/// <summary>
/// TOML for Microsoft.Extensions.Configuration. Syntax errors throw <see cref="FormatException"/>
/// with file:line:column; use <see cref="ConfigLoader"/> to collect them as problems instead.
/// </summary>
internal static class TomlConfigurationExtensions
{
    public static IConfigurationBuilder AddTomlString(this IConfigurationBuilder builder, string toml, string sourceName) =>
        builder.AddConfigDocument(ConfigDocument.FromToml(toml, sourceName));

    public static IConfigurationBuilder AddConfigDocument(this IConfigurationBuilder builder, ConfigDocument document)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(document);
        if (document.Problems.Count > 0)
        {
            throw new FormatException(string.Join(Environment.NewLine, document.Problems));
        }

        return builder.Add(new ConfigEntrySource(document.Entries));
    }
}
