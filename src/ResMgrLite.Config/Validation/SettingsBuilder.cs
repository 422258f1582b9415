using System.Globalization;
using ResMgrLite.Config.Options;
using ResMgrLite.Config.Schema;
using ResMgrLite.Config.Settings;
using ResMgrLite.Config.Sources;
using ResMgrLite.Engine;
using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.MemoryQos;
using ResMgrLite.Engine.TopologyManagement;

namespace ResMgrLite.Config.Validation;

/// <summary>
/// Second validation pass, on the bound options: cross-field rules of the kubelet and checks
/// against the machine. Each problem is placed at the key that has to change. What it builds for
/// the resource managers is the engine's own option records, so nothing maps them again later.
/// </summary>
internal sealed class SettingsBuilder
{
    private static readonly string[] ReservableResources = ["cpu", "memory", "ephemeral-storage", "pid"];

    private static readonly string[] EvictionSignals =
        ["memory.available", "nodefs.available", "nodefs.inodesFree", "imagefs.available", "imagefs.inodesFree", "containerfs.available", "containerfs.inodesFree", "pid.available"];

    private const string FullPcpusOnly = "full-pcpus-only";
    private const string DistributeCpusAcrossNuma = "distribute-cpus-across-numa";
    private const string AlignBySocket = "align-by-socket";
    private const string DistributeCpusAcrossCores = "distribute-cpus-across-cores";
    private const string PreferAlignCpusByUncoreCache = "prefer-align-cpus-by-uncorecache";

    private readonly ResMgrOptions _options;
    private readonly IReadOnlyDictionary<string, ConfigLocation> _locations;
    private readonly MachineFacts? _machine;
    private readonly List<ConfigProblem> _problems;

    public SettingsBuilder(ResMgrOptions options, IReadOnlyDictionary<string, ConfigLocation> locations, MachineFacts? machine, List<ConfigProblem> problems)
    {
        _options = options;
        _locations = locations;
        _machine = machine;
        _problems = problems;
    }

    public ResMgrSettings Build()
    {
        var topologyPolicy = ParseTopologyPolicy(_options.TopologyManager.Policy);
        var cpuPolicy = _options.CpuManager.Policy == "static" ? CpuManagerPolicy.Static : CpuManagerPolicy.None;
        var memoryPolicy = _options.MemoryManager.Policy == "Static" ? MemoryManagerPolicy.Static : MemoryManagerPolicy.None;
        var systemReserved = ReadReservations("nodeAllocatable:systemReserved", _options.NodeAllocatable.SystemReserved);
        var kubeReserved = ReadReservations("nodeAllocatable:kubeReserved", _options.NodeAllocatable.KubeReserved);
        long evictionMemory = ReadEvictionHard();

        CheckTopologyManager(topologyPolicy);
        var reservedCpus = CpuSet.Parse(_options.CpuManager.ReservedSystemCPUs);
        int reservedCount = reservedCpus.IsEmpty
            ? (int)Math.Min(int.MaxValue, (systemReserved.GetValueOrDefault("cpu") + kubeReserved.GetValueOrDefault("cpu") + 999) / 1000)
            : reservedCpus.Count;
        CheckCpuManager(cpuPolicy, reservedCpus, reservedCount);
        var cpuOptions = ReadCpuOptions(cpuPolicy, topologyPolicy);
        var reservedMemory = ReadReservedMemory(memoryPolicy, systemReserved, kubeReserved, evictionMemory);
        CheckMemoryQos();
        if (_options.FeatureGates.PodLevelResourceManagers && !_options.FeatureGates.PodLevelResources)
        {
            Report("featureGates:PodLevelResourceManagers", "PodLevelResourceManagers needs the PodLevelResources gate on (docs/kubelet-rules.md §5.1)");
        }

        CheckLogTarget();
        long logMaxSize = ReadLogMaxSize();
        CheckTextfile();

        GoDuration.TryParse(_options.CpuManager.ReconcilePeriod, out var reconcilePeriod);
        GoDuration.TryParse(_options.Hooks.Timeout, out var hooksTimeout);
        // The engine takes the two gates as one: pod-level managers only with pod-level resources.
        bool podLevelManagers = _options.FeatureGates.PodLevelResources && _options.FeatureGates.PodLevelResourceManagers;
        return new ResMgrSettings
        {
            TopologyManager = new TopologyManagerOptions
            {
                Policy = topologyPolicy,
                Scope = _options.TopologyManager.Scope == "pod" ? TopologyScope.Pod : TopologyScope.Container,
                PreferClosestNumaNodes = _options.TopologyManager.PolicyOptions.PreferClosestNumaNodes,
                MaxAllowableNumaNodes = _options.TopologyManager.PolicyOptions.MaxAllowableNumaNodes,
            },
            CpuManagerPolicy = cpuPolicy,
            CpuManager = cpuOptions with
            {
                ReservedCpus = reservedCpus,
                ReservedCpuCount = reservedCount,
                PodLevelResourceManagers = podLevelManagers,
            },
            CpuManagerReconcilePeriod = reconcilePeriod,
            MemoryManagerPolicy = memoryPolicy,
            MemoryManager = new MemoryManagerOptions
            {
                Nodes = [],
                ReservedMemory = reservedMemory,
                PodLevelResourceManagers = podLevelManagers,
            },
            MemoryQosEnabled = _options.MemoryQoS.Enabled,
            MemoryQos = new MemoryQosOptions
            {
                ReservationPolicy = _options.MemoryQoS.MemoryReservationPolicy == "TieredReservation"
                    ? MemoryReservationPolicy.TieredReservation
                    : MemoryReservationPolicy.None,
                ThrottlingFactor = _options.MemoryQoS.MemoryThrottlingFactor,
            },
            SystemReserved = systemReserved,
            KubeReserved = kubeReserved,
            EvictionHardMemoryBytes = evictionMemory,
            PodLevelResources = _options.FeatureGates.PodLevelResources,
            PodLevelResourceManagers = _options.FeatureGates.PodLevelResourceManagers,
            CgroupMountPath = _options.Cgroup.MountPath,
            CgroupRoot = _options.Cgroup.CgroupRoot,
            CgroupDriver = _options.Cgroup.CgroupDriver == "systemd" ? CgroupDriver.Systemd : CgroupDriver.Cgroupfs,
            StateDirectory = _options.State.Directory,
            LogTarget = _options.Log.Target.StartsWith('/') ? "file" : _options.Log.Target,
            LogFile = _options.Log.Target.StartsWith('/') ? _options.Log.Target : _options.Log.File,
            LogFormat = _options.Log.Format == "json" ? LogFormat.Json : LogFormat.Text,
            LogMaxSizeBytes = logMaxSize,
            LogLevel = ParseLogLevel(_options.Log.Level),
            MetricsListenAddress = _options.Metrics.ListenAddress,
            MetricsTextfile = _options.Metrics.Textfile,
            NrtFile = _options.Nrt.File,
            NrtNodeName = _options.Nrt.NodeName,
            HooksDirectory = _options.Hooks.Directory,
            HooksTimeout = hooksTimeout,
        };
    }

    private static TopologyPolicy ParseTopologyPolicy(string name) => name switch
    {
        "best-effort" => TopologyPolicy.BestEffort,
        "restricted" => TopologyPolicy.Restricted,
        "single-numa-node" => TopologyPolicy.SingleNumaNode,
        _ => TopologyPolicy.None,
    };

    // docs/kubelet-rules.md §2.4 max-allowable-numa-nodes
    private void CheckTopologyManager(TopologyPolicy policy)
    {
        int max = _options.TopologyManager.PolicyOptions.MaxAllowableNumaNodes;
        const string key = "topologyManager:policyOptions:max-allowable-numa-nodes";
        if (max < 8)
        {
            Report(key, "the minimum value of \"max-allowable-numa-nodes\" should not be less than 8 (docs/kubelet-rules.md §2.4)");
        }
        else if (_machine is not null && policy != TopologyPolicy.None && _machine.NumaNodes.Count > max)
        {
            Report(key, $"unsupported on machines with more than {max} NUMA nodes: this machine has {_machine.NumaNodes.Count} (docs/kubelet-rules.md §2.4)");
        }
    }

    // docs/kubelet-rules.md §3.1 reserved CPUs
    private void CheckCpuManager(CpuManagerPolicy policy, CpuSet reserved, int reservedCount)
    {
        if (_machine is not null && !reserved.IsEmpty && !reserved.IsSubsetOf(_machine.OnlineCpus))
        {
            // One message per mistake: a list naming missing CPUs says nothing useful about how many remain.
            Report("cpuManager:reservedSystemCPUs",
                $"reservedSystemCPUs \"{reserved}\" names CPUs that are not online on this machine: \"{reserved.Except(_machine.OnlineCpus)}\" (online: \"{_machine.OnlineCpus}\")");
            return;
        }

        if (policy != CpuManagerPolicy.Static)
        {
            return;
        }

        if (reservedCount == 0)
        {
            Report("cpuManager:policy",
                "the static policy needs reserved CPUs: set cpuManager.reservedSystemCPUs, or a cpu amount in nodeAllocatable.systemReserved or kubeReserved (docs/kubelet-rules.md §3.1)");
        }
        else if (_machine is not null && reservedCount >= _machine.OnlineCpus.Count)
        {
            Report(reserved.IsEmpty ? "nodeAllocatable" : "cpuManager:reservedSystemCPUs",
                $"{reservedCount} reserved CPUs leave none of the {_machine.OnlineCpus.Count} online CPUs for containers");
        }
    }

    // docs/kubelet-rules.md §3.10 options, gates and exclusive pairs
    private CpuManagerOptions ReadCpuOptions(CpuManagerPolicy policy, TopologyPolicy topologyPolicy)
    {
        var o = _options.CpuManager.PolicyOptions;
        var named = new (bool On, string Name, string? MissingGate)[]
        {
            (o.FullPcpusOnly, FullPcpusOnly, null),
            (o.DistributeCpusAcrossNuma, DistributeCpusAcrossNuma, _options.FeatureGates.CPUManagerPolicyBetaOptions ? null : "CPUManagerPolicyBetaOptions"),
            (o.AlignBySocket, AlignBySocket, _options.FeatureGates.CPUManagerPolicyAlphaOptions ? null : "CPUManagerPolicyAlphaOptions"),
            (o.DistributeCpusAcrossCores, DistributeCpusAcrossCores, _options.FeatureGates.CPUManagerPolicyAlphaOptions ? null : "CPUManagerPolicyAlphaOptions"),
            (o.StrictCpuReservation, "strict-cpu-reservation", null),
            (o.PreferAlignCpusByUncoreCache, PreferAlignCpusByUncoreCache, null),
        };
        foreach (var (on, name, missingGate) in named)
        {
            if (!on)
            {
                continue;
            }

            string key = "cpuManager:policyOptions:" + name;
            if (policy != CpuManagerPolicy.Static)
            {
                Report(key, $"CPU manager option '{name}' needs cpuManager.policy = \"static\"");
            }
            else if (missingGate is not null)
            {
                Report(key, $"CPU manager option '{name}' needs the feature gate featureGates.{missingGate} = true (docs/kubelet-rules.md §3.10)");
            }
        }

        (bool Both, string A, string B)[] exclusive =
        [
            (o.FullPcpusOnly && o.DistributeCpusAcrossCores, FullPcpusOnly, DistributeCpusAcrossCores),
            (o.DistributeCpusAcrossNuma && o.DistributeCpusAcrossCores, DistributeCpusAcrossNuma, DistributeCpusAcrossCores),
            (o.PreferAlignCpusByUncoreCache && o.DistributeCpusAcrossCores, PreferAlignCpusByUncoreCache, DistributeCpusAcrossCores),
            (o.PreferAlignCpusByUncoreCache && o.DistributeCpusAcrossNuma, PreferAlignCpusByUncoreCache, DistributeCpusAcrossNuma),
        ];
        foreach (var (both, a, b) in exclusive)
        {
            if (both)
            {
                Report("cpuManager:policyOptions:" + b, $"CPU manager options '{a}' and '{b}' cannot be used together (docs/kubelet-rules.md §3.10)");
            }
        }

        if (o.AlignBySocket && topologyPolicy == TopologyPolicy.SingleNumaNode)
        {
            Report("cpuManager:policyOptions:" + AlignBySocket, $"'{AlignBySocket}' cannot be used with topologyManager.policy = \"single-numa-node\" (docs/kubelet-rules.md §3.10)");
        }

        return new CpuManagerOptions
        {
            FullPcpusOnly = o.FullPcpusOnly,
            DistributeCpusAcrossNuma = o.DistributeCpusAcrossNuma,
            AlignBySocket = o.AlignBySocket,
            DistributeCpusAcrossCores = o.DistributeCpusAcrossCores,
            StrictCpuReservation = o.StrictCpuReservation,
            PreferAlignCpusByUncoreCache = o.PreferAlignCpusByUncoreCache,
        };
    }

    /// <summary>Resource → amount; cpu in millicores (rounded up), the rest in whole units (bytes).</summary>
    private Dictionary<string, long> ReadReservations(string path, Dictionary<string, string> reserved)
    {
        var amounts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (resource, text) in reserved)
        {
            string key = path + ":" + resource;
            if (!ReservableResources.Contains(resource, StringComparer.Ordinal) && !IsHugePagesName(resource))
            {
                Report(key, $"unknown resource '{resource}'; expected cpu, memory, ephemeral-storage, pid or hugepages-<size>{KeySuggester.DidYouMean(resource, ReservableResources)}");
                continue;
            }

            Quantity.TryParse(text, out decimal value);
            if (!Quantity.TryToInt64Ceiling(resource == "cpu" ? value * 1000 : value, out long amount))
            {
                Report(key, $"'{text}' is too large");
                continue;
            }

            amounts[resource] = amount;
        }

        return amounts;
    }

    private long ReadEvictionHard()
    {
        long memory = 0;
        foreach (var (signal, text) in _options.NodeAllocatable.EvictionHard)
        {
            string key = "nodeAllocatable:evictionHard:" + signal;
            if (!EvictionSignals.Contains(signal, StringComparer.Ordinal))
            {
                Report(key, $"unknown eviction signal '{signal}'{KeySuggester.DidYouMean(signal, EvictionSignals)}");
                continue;
            }

            if (signal != "memory.available")
            {
                continue;
            }

            if (EntryChecker.TryPercent(text))
            {
                // A percentage is of the machine's memory; without machine facts it cannot be resolved.
                double percent = double.Parse(text.AsSpan(0, text.Length - 1), System.Globalization.CultureInfo.InvariantCulture);
                memory = _machine is null ? 0 : (long)Math.Ceiling(_machine.TotalMemoryBytes * percent / 100);
            }
            else
            {
                Quantity.TryParse(text, out decimal value);
                Quantity.TryToInt64Ceiling(value, out memory);
            }
        }

        return memory;
    }

    // docs/kubelet-rules.md §4.1 reserved memory must match
    private List<ReservedMemoryNode> ReadReservedMemory(MemoryManagerPolicy policy, Dictionary<string, long> systemReserved, Dictionary<string, long> kubeReserved, long evictionMemory)
    {
        var nodes = new List<ReservedMemoryNode>();
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        var firstKeyOfType = new Dictionary<string, string>(StringComparer.Ordinal);
        var seenNodes = new HashSet<int>();
        for (int i = 0; i < _options.MemoryManager.ReservedMemory.Count; i++)
        {
            var item = _options.MemoryManager.ReservedMemory[i];
            string itemKey = $"memoryManager:reservedMemory:{i}";
            if (!seenNodes.Add(item.NumaNode))
            {
                Report(itemKey + ":numaNode", $"NUMA node {item.NumaNode} has more than one reservedMemory item");
            }

            NumaMemoryInfo? node = _machine is null ? null : FindNode(_machine.NumaNodes, item.NumaNode);
            if (_machine is not null && node is null)
            {
                Report(itemKey + ":numaNode",
                    $"the reserved memory configuration references a NUMA node {item.NumaNode} that does not exist on this machine (nodes: {NodeIds(_machine.NumaNodes)}) (docs/kubelet-rules.md §4.1)");
            }

            var limits = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var (resource, text) in item.Limits)
            {
                string key = $"{itemKey}:limits:{resource}";
                if (resource != "memory" && !IsHugePagesName(resource))
                {
                    Report(key, $"unknown resource '{resource}'; reservedMemory limits take memory or hugepages-<size>");
                    continue;
                }

                Quantity.TryParse(text, out decimal value);
                if (!Quantity.TryToInt64Ceiling(value, out long bytes))
                {
                    Report(key, $"'{text}' does not fit in 64 bits of bytes");
                    continue;
                }

                limits[resource] = bytes;
                totals[resource] = totals.GetValueOrDefault(resource) + bytes;
                firstKeyOfType.TryAdd(resource, key);
                if (node is not null)
                {
                    CheckAgainstNode(node, resource, bytes, key);
                }
            }

            // The engine's memory manager knows memory and the 2Mi and 1Gi hugepage pools (those of x86-64);
            // other sizes are checked above and not managed.
            nodes.Add(new ReservedMemoryNode(item.NumaNode, new MemoryAmounts(
                limits.GetValueOrDefault("memory"), limits.GetValueOrDefault("hugepages-2Mi"), limits.GetValueOrDefault("hugepages-1Gi"))));
        }

        if (policy != MemoryManagerPolicy.Static)
        {
            return nodes;
        }

        // Every type in reservedMemory or in the node-allocatable reservation must add up exactly.
        var types = new List<string> { "memory" };
        foreach (string type in totals.Keys)
        {
            AddType(types, type);
        }
        AddHugePageTypes(types, systemReserved);
        AddHugePageTypes(types, kubeReserved);

        foreach (string type in types)
        {
            long expected = systemReserved.GetValueOrDefault(type) + kubeReserved.GetValueOrDefault(type) + (type == "memory" ? evictionMemory : 0);
            long total = totals.GetValueOrDefault(type);
            if (total != expected)
            {
                string where = type == "memory" ? "kubeReserved + systemReserved + evictionHard memory.available" : "kubeReserved + systemReserved";
                Report(firstKeyOfType.GetValueOrDefault(type, "memoryManager:policy"),
                    $"the total amount \"{FormatBytes(total)}\" of type \"{type}\" is not equal to the value \"{FormatBytes(expected)}\" determined by Node Allocatable feature ({where}) (docs/kubelet-rules.md §4.1)");
            }
        }

        long expectedMemory = systemReserved.GetValueOrDefault("memory") + kubeReserved.GetValueOrDefault("memory") + evictionMemory;
        if (totals.GetValueOrDefault("memory") == 0 && expectedMemory == 0)
        {
            Report("memoryManager:policy", "the Static memory manager policy needs reserved memory: you should specify the system reserved memory (docs/kubelet-rules.md §4.1)");
        }

        return nodes;
    }

    private void CheckAgainstNode(NumaMemoryInfo node, string resource, long bytes, string key)
    {
        if (resource == "memory")
        {
            if (bytes > node.MemTotalBytes)
            {
                Report(key, $"reserves {FormatBytes(bytes)} but NUMA node {node.NodeId} has only {FormatBytes(node.MemTotalBytes)}");
            }

            return;
        }

        Quantity.TryParse(resource["hugepages-".Length..], out decimal size);
        long pageSize = (long)size;
        int pools = 0;
        long pages = 0;
        foreach (HugePageInfo pool in node.HugePages)
        {
            if (pool.PageSizeKiB * 1024 == pageSize)
            {
                pools++;
                pages += pool.Pages;
            }
        }
        if (pools == 0)
        {
            Report(key, $"NUMA node {node.NodeId} has no {resource[10..]} hugepage pool");
        }
        else if (bytes > pages * pageSize)
        {
            Report(key, $"reserves {FormatBytes(bytes)} of {resource} but NUMA node {node.NodeId} has only {pages} pages ({FormatBytes(pages * pageSize)})");
        }
    }

    private void CheckMemoryQos()
    {
        double factor = _options.MemoryQoS.MemoryThrottlingFactor;
        if (factor is <= 0 or > 1)
        {
            Report("memoryQoS:memoryThrottlingFactor", $"memoryThrottlingFactor {factor.ToString(System.Globalization.CultureInfo.InvariantCulture)} is out of range; expected a value in (0, 1] (docs/kubelet-rules.md §6.1)");
        }
    }

    /// <summary>The level's name, already checked against the schema's allowed values.</summary>
    private static LogLevel ParseLogLevel(string name) => name.ToLowerInvariant() switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "info" => LogLevel.Info,
        "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        _ => throw new ArgumentException($"'{name}' is not a log level (trace, debug, info, warning, error)", nameof(name)),
    };

    private static void AddHugePageTypes(List<string> types, Dictionary<string, long> reserved)
    {
        foreach (string resource in reserved.Keys)
        {
            if (IsHugePagesName(resource))
            {
                AddType(types, resource);
            }
        }
    }

    /// <summary>Keeps <paramref name="types"/> sorted (ordinal) and each name once.</summary>
    private static void AddType(List<string> types, string type)
    {
        int at = types.BinarySearch(type, StringComparer.Ordinal);
        if (at < 0)
        {
            types.Insert(~at, type);
        }
    }

    private static NumaMemoryInfo? FindNode(IReadOnlyList<NumaMemoryInfo> nodes, int id)
    {
        foreach (NumaMemoryInfo node in nodes)
        {
            if (node.NodeId == id)
            {
                return node;
            }
        }
        return null;
    }

    private static string NodeIds(IReadOnlyList<NumaMemoryInfo> nodes)
    {
        var ids = new string[nodes.Count];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = nodes[i].NodeId.ToString(CultureInfo.InvariantCulture);
        }
        return string.Join(", ", ids);
    }

    private void CheckLogTarget()
    {
        string target = _options.Log.Target;
        if (!EntryChecker.IsOneOf(target, ConfigSchema.LogTargets) && !target.StartsWith('/'))
        {
            Report("log:target", $"'{target}' is not a log target; expected \"file\", \"stderr\", \"stdout\", \"journal\" or an absolute file path{KeySuggester.DidYouMean(target, ConfigSchema.LogTargets)}");
        }
    }

    /// <summary>log.maxSize in bytes (its syntax was checked with the entry); below 64 KiB a rotation would outrun the reader.</summary>
    private long ReadLogMaxSize()
    {
        Quantity.TryParse(_options.Log.MaxSize, out decimal size);
        if (size != 0 && size < 64 * 1024)
        {
            Report("log:maxSize", $"'{_options.Log.MaxSize}' is too small to be useful; use 0 (never rotate) or at least 64Ki");
        }
        return size > long.MaxValue ? long.MaxValue : (long)decimal.Floor(size);
    }

    // node_exporter's textfile collector reads only *.prom files.
    private void CheckTextfile()
    {
        string path = _options.Metrics.Textfile;
        if (path.Length > 0 && !path.EndsWith(".prom", StringComparison.Ordinal))
        {
            Report("metrics:textfile", $"'{path}' does not end in .prom; node_exporter's textfile collector reads only *.prom files");
        }
    }

    private static bool IsHugePagesName(string resource) =>
        resource.StartsWith("hugepages-", StringComparison.Ordinal)
        && Quantity.TryParse(resource["hugepages-".Length..], out decimal size) && size > 0 && size == decimal.Floor(size);

    private static string FormatBytes(long bytes) =>
        bytes != 0 && bytes % (1L << 20) == 0 ? $"{bytes >> 20}Mi" : bytes.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private void Report(string path, string message)
    {
        _problems.Add(new ConfigProblem(Locate(path), $"{ConfigPath.ToDisplay(path)}: {message}"));
    }

    /// <summary>Where a key was set; else where its nearest enclosing table was; else the built-in default.</summary>
    private ConfigLocation Locate(string path)
    {
        for (string probe = path; probe.Length > 0; probe = probe[..Math.Max(0, probe.LastIndexOf(ConfigPath.Separator))])
        {
            if (_locations.TryGetValue(probe, out var location))
            {
                return location;
            }

            if (!probe.Contains(ConfigPath.Separator, StringComparison.Ordinal))
            {
                break;
            }
        }

        return ConfigLocation.Default;
    }
}
