namespace ResMgrLite.EndToEnd.Tests.Vm;

/// <summary>
/// Which assertion groups the VM scenario checks. The infrastructure groups always run. The
/// plugin feature groups run when listed in <see cref="EnabledPluginGroups"/> — add a group there
/// when its feature is merged — or when named in $RESMGRLITE_VM_GROUPS (comma-separated group
/// names, or "all"), which replaces that list for one run.
/// </summary>
internal static class VmAssertionGroups
{
    public const string OverrideVariable = "RESMGRLITE_VM_GROUPS";

    /// <summary>Plugin groups that hold with the features merged so far.</summary>
    public static readonly IReadOnlySet<VmAssertionGroup> EnabledPluginGroups = new HashSet<VmAssertionGroup>
    {
        VmAssertionGroup.PluginRegistered,
        VmAssertionGroup.NumaAlignment,
        VmAssertionGroup.MemoryQos,
        VmAssertionGroup.MemoryQosBurstable,
        VmAssertionGroup.ParentAggregation,
        VmAssertionGroup.SharedPool,
    };

    private static readonly IReadOnlySet<VmAssertionGroup> AlwaysOn = new HashSet<VmAssertionGroup>
    {
        VmAssertionGroup.GuestTopology,
        VmAssertionGroup.CgroupV2,
        VmAssertionGroup.CriResources,
        VmAssertionGroup.CriUpdate,
        VmAssertionGroup.Teardown,
        VmAssertionGroup.PowerOff,
    };

    public static bool IsEnabled(VmAssertionGroup group) => AlwaysOn.Contains(group) || PluginGroups().Contains(group);

    private static IReadOnlySet<VmAssertionGroup> PluginGroups()
    {
        var text = Environment.GetEnvironmentVariable(OverrideVariable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return EnabledPluginGroups;
        }

        if (text.Trim().Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            return Enum.GetValues<VmAssertionGroup>().ToHashSet();
        }

        var groups = new HashSet<VmAssertionGroup>();
        foreach (var name in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            groups.Add(Enum.TryParse<VmAssertionGroup>(name, ignoreCase: true, out var group)
                ? group
                : throw new ArgumentException(
                    $"${OverrideVariable}: unknown group '{name}' (known: {string.Join(", ", Enum.GetNames<VmAssertionGroup>())}, all)"));
        }

        return groups;
    }
}
