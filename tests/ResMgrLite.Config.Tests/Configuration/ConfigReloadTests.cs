using ResMgrLite.Config.Reload;
using ResMgrLite.Config.Schema;
using ResMgrLite.Config.Settings;
using ResMgrLite.Engine.TopologyManagement;
using static ResMgrLite.Config.Tests.Configuration.ConfigFixtures;

namespace ResMgrLite.Config.Tests.Configuration;

public sealed class ConfigReloadTests
{
    private const string Running = """
        [topologyManager]
        policy = "best-effort"
        [cpuManager]
        policy = "static"
        reservedSystemCPUs = "0"
        [memoryQoS]
        memoryThrottlingFactor = 0.9
        [log]
        level = "info"
        """;

    [Fact]
    public void Identical_configuration_changes_nothing()
    {
        var settings = Load(Running);

        var result = ConfigReload.Compare(settings, Load(Running));

        Assert.Empty(result.Applied);
        Assert.Empty(result.Refused);
        Assert.Equal(settings, result.Effective);
    }

    [Fact]
    public void Safe_changes_apply_and_drain_changes_are_refused_with_a_reason()
    {
        var running = Load(Running);
        var proposed = Load(Running
            .Replace("level = \"info\"", "level = \"debug\"", StringComparison.Ordinal)
            .Replace("memoryThrottlingFactor = 0.9", "memoryThrottlingFactor = 0.8", StringComparison.Ordinal)
            .Replace("policy = \"best-effort\"", "policy = \"restricted\"", StringComparison.Ordinal)
            .Replace("reservedSystemCPUs = \"0\"", "reservedSystemCPUs = \"0-1\"", StringComparison.Ordinal));

        var result = ConfigReload.Compare(running, proposed);

        Assert.Equal(["memoryQoS.memoryThrottlingFactor", "log.level"], result.Applied.Select(c => c.Key));
        Assert.Equal(["topologyManager.policy", "cpuManager.reservedSystemCPUs"], result.Refused.Select(r => r.Change.Key));
        Assert.Equal(LogLevel.Debug, result.Effective.LogLevel);
        Assert.Equal(0.8, result.Effective.MemoryQos.ThrottlingFactor);
        Assert.Equal(TopologyPolicy.BestEffort, result.Effective.TopologyManager.Policy);
        Assert.Equal(running.CpuManager.ReservedCpus, result.Effective.CpuManager.ReservedCpus);
        Assert.Equal(
            "configuration change refused: topologyManager.policy \"best-effort\" -> \"restricted\": existing CPU and memory assignments were made under the old value; drain the node, delete the state files in /var/lib/resmgrlite and restart resmgrlite to change it (the kubelet's rule for policy changes)",
            result.Refused[0].ToString());
    }

    [Fact]
    public void Start_only_settings_are_refused_until_restart()
    {
        var result = ConfigReload.Compare(Load(Running), Load(Running + "\n[metrics]\nlistenAddress = \":9464\"\n"));

        var refused = Assert.Single(result.Refused);
        Assert.Equal("metrics.listenAddress", refused.Change.Key);
        Assert.Contains("restart resmgrlite to apply it", refused.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_schema_key_is_compared_and_every_live_key_can_be_applied()
    {
        var compared = ConfigReload.ComparedKeys.ToHashSet(StringComparer.Ordinal);
        var live = ConfigSchema.Keys.Where(k => k.Reload == ReloadBehavior.Live).Select(k => k.Pattern).Order(StringComparer.Ordinal);

        // Option groups and reservation items are compared as one value per group.
        var groupedInto = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["memoryManager:reservedMemory:#:numaNode"] = "memoryManager:reservedMemory:#:limits:*",
        };
        foreach (var key in ConfigSchema.Keys)
        {
            bool covered = compared.Contains(key.Pattern)
                || (key.Pattern.StartsWith("cpuManager:policyOptions:", StringComparison.Ordinal) && compared.Contains("cpuManager:policyOptions:full-pcpus-only"))
                || (key.Pattern.StartsWith("featureGates:CPUManagerPolicy", StringComparison.Ordinal) && compared.Contains("cpuManager:policyOptions:full-pcpus-only"))
                || (groupedInto.TryGetValue(key.Pattern, out var group) && compared.Contains(group));
            Assert.True(covered, $"{key.Pattern} is not compared on reload");
        }

        Assert.Equal(live, ConfigReload.LiveKeys.Order(StringComparer.Ordinal));
    }

    private static ResMgrSettings Load(string toml)
    {
        var result = LoadToml(toml, Machines.TwoNodes);
        Assert.True(result.IsValid, Messages(result));
        return result.Settings!;
    }
}
