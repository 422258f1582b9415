using System.Text.Json;
using Microsoft.Extensions.Configuration;
using ResMgrLite.Config.Options;
using ResMgrLite.Config.Schema;
using ResMgrLite.Config.Sources;
using ResMgrLite.TestSupport;

namespace ResMgrLite.Config.Tests.Configuration;

public sealed class ConfigSchemaTests
{
    [Fact]
    public void Option_defaults_equal_the_documented_schema_defaults()
    {
        var defaults = ConfigSchema.Keys
            .Where(k => !k.Pattern.Contains('*', StringComparison.Ordinal) && !k.Pattern.Contains('#', StringComparison.Ordinal))
            .Select(k => new ConfigEntry(k.Pattern, k.Default, ConfigValueShape.Untyped, ConfigLocation.Default))
            .Append(new ConfigEntry("nodeAllocatable:evictionHard:memory.available", "100Mi", ConfigValueShape.Untyped, ConfigLocation.Default))
            .ToList();
        var fromSchema = new ConfigurationBuilder().Add(new ConfigEntrySource(defaults)).Build().Get<ResMgrOptions>()!;

        Assert.Equal(Serialize(new ResMgrOptions()), Serialize(fromSchema));
    }

    [Fact]
    public void Toml_provider_feeds_microsoft_extensions_configuration()
    {
        var configuration = new ConfigurationBuilder()
            .AddTomlString("[cpuManager]\npolicy = \"static\"\n[[memoryManager.reservedMemory]]\nnumaNode = 1\nlimits = { memory = 1048576 }\n[hooks]\n", "inline")
            .Build();

        Assert.Equal("static", configuration["cpuManager:policy"]);
        Assert.Equal("1", configuration["memoryManager:reservedMemory:0:numaNode"]);
        Assert.Equal("1048576", configuration["memoryManager:reservedMemory:0:limits:memory"]);
        var error = Assert.Throws<FormatException>(() => new ConfigurationBuilder().AddTomlString("a = ", "bad.toml"));
        Assert.StartsWith("bad.toml:1:5: expected a value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_key_has_a_description_and_enums_list_their_values()
    {
        foreach (var key in ConfigSchema.Keys)
        {
            Assert.False(string.IsNullOrWhiteSpace(key.Description), key.Pattern);
            Assert.Equal(key.Type == ConfigValueType.Enum, key.AllowedValues is not null);
            if (key.AllowedValues is not null)
            {
                Assert.Contains(key.Default, key.AllowedValues);
            }
        }
    }

    [Fact]
    public void Configuration_doc_lists_every_key_its_default_and_kubelet_name()
    {
        string doc = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "configuration.md"));

        foreach (var key in ConfigSchema.Keys)
        {
            string row = doc.Split('\n').FirstOrDefault(line => line.StartsWith($"| `{key.DisplayName}` |", StringComparison.Ordinal))
                ?? throw new Xunit.Sdk.XunitException($"docs/configuration.md has no row for {key.DisplayName}");
            Assert.Contains(key.Default.Length == 0 ? "(empty)" : $"`{key.Default}`", row, StringComparison.Ordinal);
            Assert.Contains(key.KubeletName is null ? "—" : $"`{key.KubeletName}`", row, StringComparison.Ordinal);
        }
    }

    private static string Serialize(ResMgrOptions options) =>
        JsonSerializer.Serialize(options, new JsonSerializerOptions { TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() });
}
