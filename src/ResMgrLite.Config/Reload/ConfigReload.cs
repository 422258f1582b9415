using System.Globalization;
using ResMgrLite.Config.Schema;
using ResMgrLite.Config.Settings;
using ResMgrLite.Config.Validation;
using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.TopologyManagement;

namespace ResMgrLite.Config.Reload;

/// <summary>
/// Decides what a later Configure with changed configuration may change. Safe keys (log level,
/// throttling factor, reconcile period, hooks) apply at once. Keys that shape existing
/// assignments (policies, reserved CPUs and memory, reservations, gates) are refused: the
/// kubelet, too, refuses to start when the policy in its checkpoint differs from the configured
/// one and asks for a drained node (docs/kubelet-rules.md §3.11, §4.7). Keys read only at
/// start are refused until a restart. Pure: no I/O, no logging.
/// </summary>
internal static class ConfigReload
{
    private delegate string Read(ResMgrSettings settings);

    private delegate ResMgrSettings Apply(ResMgrSettings target, ResMgrSettings source);

    /// <summary>Every setting, the schema key that governs its reload rule, and — for live keys — how to copy it.</summary>
    private static readonly (string Key, Read Read, Apply? Apply)[] Fields =
    [
        ("topologyManager:policy", s => TopologyManagerOptions.PolicyName(s.TopologyManager.Policy), null),
        ("topologyManager:scope", s => s.TopologyManager.Scope.ToString(), null),
        ("topologyManager:policyOptions:prefer-closest-numa-nodes", s => Text(s.TopologyManager.PreferClosestNumaNodes), null),
        ("topologyManager:policyOptions:max-allowable-numa-nodes", s => Text(s.TopologyManager.MaxAllowableNumaNodes), null),
        ("cpuManager:policy", s => s.CpuManagerPolicy.ToString(), null),
        ("cpuManager:reservedSystemCPUs", s => $"{s.CpuManager.ReservedCpus} ({s.CpuManager.ReservedCpuCount} CPUs)", null),
        ("cpuManager:policyOptions:full-pcpus-only", s => CpuPolicyOptionsText(s.CpuManager), null),
        ("cpuManager:reconcilePeriod", s => GoDuration.Format(s.CpuManagerReconcilePeriod),
            (t, s) => t with { CpuManagerReconcilePeriod = s.CpuManagerReconcilePeriod }),
        ("memoryManager:policy", s => s.MemoryManagerPolicy.ToString(), null),
        ("memoryManager:reservedMemory:#:limits:*", s => ReservedMemoryText(s.MemoryManager.ReservedMemory), null),
        ("memoryQoS:enabled", s => Text(s.MemoryQosEnabled), null),
        ("memoryQoS:memoryReservationPolicy", s => s.MemoryQos.ReservationPolicy.ToString(), null),
        ("memoryQoS:memoryThrottlingFactor", s => Text(s.MemoryQos.ThrottlingFactor),
            (t, s) => t with { MemoryQos = t.MemoryQos with { ThrottlingFactor = s.MemoryQos.ThrottlingFactor } }),
        ("nodeAllocatable:systemReserved:*", s => Text(s.SystemReserved), null),
        ("nodeAllocatable:kubeReserved:*", s => Text(s.KubeReserved), null),
        ("nodeAllocatable:evictionHard:*", s => Text(s.EvictionHardMemoryBytes), null),
        ("featureGates:PodLevelResources", s => Text(s.PodLevelResources), null),
        ("featureGates:PodLevelResourceManagers", s => Text(s.PodLevelResourceManagers), null),
        ("cgroup:mountPath", s => s.CgroupMountPath, null),
        ("cgroup:cgroupRoot", s => s.CgroupRoot, null),
        ("cgroup:cgroupDriver", s => s.CgroupDriver.ToString(), null),
        ("state:directory", s => s.StateDirectory, null),
        ("log:target", s => s.LogTarget, (t, s) => t with { LogTarget = s.LogTarget }),
        ("log:file", s => s.LogFile, (t, s) => t with { LogFile = s.LogFile }),
        ("log:format", s => s.LogFormat.ToString(), (t, s) => t with { LogFormat = s.LogFormat }),
        ("log:maxSize", s => Text(s.LogMaxSizeBytes), (t, s) => t with { LogMaxSizeBytes = s.LogMaxSizeBytes }),
        ("log:level", s => s.LogLevel.ToString(), (t, s) => t with { LogLevel = s.LogLevel }),
        ("metrics:listenAddress", s => s.MetricsListenAddress, null),
        ("metrics:textfile", s => s.MetricsTextfile, null),
        ("nrt:file", s => s.NrtFile, null),
        ("nrt:nodeName", s => s.NrtNodeName, null),
        ("hooks:directory", s => s.HooksDirectory, (t, s) => t with { HooksDirectory = s.HooksDirectory }),
        ("hooks:timeout", s => GoDuration.Format(s.HooksTimeout), (t, s) => t with { HooksTimeout = s.HooksTimeout }),
    ];

    public static ReloadResult Compare(ResMgrSettings running, ResMgrSettings proposed)
    {
        ArgumentNullException.ThrowIfNull(running);
        ArgumentNullException.ThrowIfNull(proposed);
        var effective = running;
        var applied = new List<ConfigChange>();
        var refused = new List<RefusedChange>();
        foreach (var (key, read, apply) in Fields)
        {
            string before = read(running);
            string after = read(proposed);
            if (before == after)
            {
                continue;
            }

            ConfigKey schemaKey = SchemaKey(key);
            var change = new ConfigChange(DisplayName(schemaKey), before, after);
            if (schemaKey.Reload == ReloadBehavior.Live && apply is not null)
            {
                effective = apply(effective, proposed);
                applied.Add(change);
            }
            else
            {
                refused.Add(new RefusedChange(change, Reason(schemaKey.Reload, running)));
            }
        }

        return new ReloadResult(effective, applied, refused);
    }

    /// <summary>Keys the reload treats as live; used by the tests to prove each has a copier.</summary>
    internal static IEnumerable<string> LiveKeys
    {
        get
        {
            foreach (var (key, _, apply) in Fields)
            {
                if (apply is not null)
                {
                    yield return key;
                }
            }
        }
    }

    internal static IEnumerable<string> ComparedKeys
    {
        get
        {
            foreach (var (key, _, _) in Fields)
            {
                yield return key;
            }
        }
    }

    private static ConfigKey SchemaKey(string pattern)
    {
        foreach (ConfigKey key in ConfigSchema.Keys)
        {
            if (key.Pattern == pattern)
            {
                return key;
            }
        }
        throw new InvalidOperationException($"the reload table names '{pattern}', which is not a configuration key");
    }

    private static string ReservedMemoryText(IReadOnlyList<ReservedMemoryNode> nodes)
    {
        var texts = new string[nodes.Count];
        for (int i = 0; i < texts.Length; i++)
        {
            texts[i] = $"{{numaNode: {nodes[i].NumaNode}, limits: {{{nodes[i].Limits}}}}}";
        }
        return string.Join(", ", texts);
    }

    private static string DisplayName(ConfigKey key) =>
        key.Pattern.StartsWith("cpuManager:policyOptions:", StringComparison.Ordinal) ? "cpuManager.policyOptions"
        : key.Pattern.StartsWith("memoryManager:reservedMemory", StringComparison.Ordinal) ? "memoryManager.reservedMemory"
        : key.Pattern.EndsWith(":*", StringComparison.Ordinal) ? key.DisplayName[..^".<name>".Length]
        : key.DisplayName;

    private static string Reason(ReloadBehavior behavior, ResMgrSettings running) => behavior switch
    {
        ReloadBehavior.NeedsDrain =>
            "existing CPU and memory assignments were made under the old value; drain the node, delete the state files in "
            + running.StateDirectory + " and restart resmgrlite to change it (the kubelet's rule for policy changes)",
        _ => "this setting is read only at start; restart resmgrlite to apply it",
    };

    private static string CpuPolicyOptionsText(CpuManagerOptions cpu)
    {
        (bool On, string Name)[] options =
        [
            (cpu.FullPcpusOnly, "full-pcpus-only"),
            (cpu.DistributeCpusAcrossNuma, "distribute-cpus-across-numa"),
            (cpu.AlignBySocket, "align-by-socket"),
            (cpu.DistributeCpusAcrossCores, "distribute-cpus-across-cores"),
            (cpu.StrictCpuReservation, "strict-cpu-reservation"),
            (cpu.PreferAlignCpusByUncoreCache, "prefer-align-cpus-by-uncorecache"),
        ];
        var chosen = new List<string>(options.Length);
        foreach ((bool on, string name) in options)
        {
            if (on)
            {
                chosen.Add(name);
            }
        }
        return chosen.Count == 0 ? "none" : string.Join(", ", chosen);
    }

    private static string Text(bool value) => value ? "true" : "false";

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Text(IReadOnlyDictionary<string, long> amounts)
    {
        var names = new string[amounts.Count];
        int n = 0;
        foreach (string name in amounts.Keys)
        {
            names[n++] = name;
        }
        Array.Sort(names, StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = $"{names[i]}={amounts[names[i]]}";
        }
        return string.Join(", ", names);
    }
}
