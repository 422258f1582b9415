using T = ResMgrLite.Config.Schema.ConfigValueType;
using static ResMgrLite.Config.Schema.ReloadBehavior;

namespace ResMgrLite.Config.Schema;

/// <summary>
/// Every key ResMgrLite reads, with type, default, kubelet equivalent and reload rule. The
/// validator, the reload comparison and docs/configuration.md are all driven by this list.
/// </summary>
internal static class ConfigSchema
{
    public static IReadOnlyList<string> TopologyPolicies { get; } = ["none", "best-effort", "restricted", "single-numa-node"];

    public static IReadOnlyList<string> TopologyScopes { get; } = ["container", "pod"];

    public static IReadOnlyList<string> CpuPolicies { get; } = ["none", "static"];

    public static IReadOnlyList<string> MemoryPolicies { get; } = ["None", "Static"];

    public static IReadOnlyList<string> MemoryReservationPolicies { get; } = ["None", "TieredReservation"];

    public static IReadOnlyList<string> CgroupDrivers { get; } = ["cgroupfs", "systemd"];

    public static IReadOnlyList<string> LogLevels { get; } = ["trace", "debug", "info", "warning", "error"];

    public static IReadOnlyList<string> LogFormats { get; } = ["text", "json"];

    /// <summary>Named log targets; an absolute path is accepted too (the file target writing there).</summary>
    public static IReadOnlyList<string> LogTargets { get; } = ["file", "stderr", "stdout", "journal"];

    public static IReadOnlyList<ConfigKey> Keys { get; } =
    [
        new("topologyManager:policy", T.Enum, "none", "topologyManagerPolicy", NeedsDrain,
            "NUMA alignment policy (docs/kubelet-rules.md §2.2).", TopologyPolicies),
        new("topologyManager:scope", T.Enum, "container", "topologyManagerScope", NeedsDrain,
            "Align per container or per pod (docs/kubelet-rules.md §2.5).", TopologyScopes),
        new("topologyManager:policyOptions:prefer-closest-numa-nodes", T.Boolean, "false", "topologyManagerPolicyOptions", NeedsDrain,
            "Prefer NUMA sets with the smallest average distance (docs/kubelet-rules.md §2.4)."),
        new("topologyManager:policyOptions:max-allowable-numa-nodes", T.Integer, "8", "topologyManagerPolicyOptions", NeedsDrain,
            "Most NUMA nodes supported; at least 8 (docs/kubelet-rules.md §2.4)."),
        new("cpuManager:policy", T.Enum, "none", "cpuManagerPolicy", NeedsDrain,
            "`static` gives Guaranteed containers with integral CPUs exclusive CPUs (docs/kubelet-rules.md §3).", CpuPolicies),
        new("cpuManager:reservedSystemCPUs", T.CpuList, "", "reservedSystemCPUs", NeedsDrain,
            "CPUs kept for the system, as a cpulist; when empty, the static policy reserves ceil(systemReserved.cpu + kubeReserved.cpu) CPUs chosen by topology (docs/kubelet-rules.md §3.1)."),
        new("cpuManager:reconcilePeriod", T.Duration, "10s", "cpuManagerReconcilePeriod", Live,
            "How often the shared pool is pushed to running containers: a pool widened by a release reaches them at the next pass, narrowing is immediate; 0 widens at once (docs/kubelet-rules.md §3.1)."),
        new("cpuManager:policyOptions:full-pcpus-only", T.Boolean, "false", "cpuManagerPolicyOptions", NeedsDrain,
            "Allocate whole physical cores only (docs/kubelet-rules.md §3.10)."),
        new("cpuManager:policyOptions:distribute-cpus-across-numa", T.Boolean, "false", "cpuManagerPolicyOptions", NeedsDrain,
            "Spread multi-NUMA allocations evenly (beta; docs/kubelet-rules.md §3.7)."),
        new("cpuManager:policyOptions:align-by-socket", T.Boolean, "false", "cpuManagerPolicyOptions", NeedsDrain,
            "Widen NUMA alignment to whole sockets (alpha; docs/kubelet-rules.md §3.10)."),
        new("cpuManager:policyOptions:distribute-cpus-across-cores", T.Boolean, "false", "cpuManagerPolicyOptions", NeedsDrain,
            "Spread CPUs over cores (alpha; docs/kubelet-rules.md §3.10)."),
        new("cpuManager:policyOptions:strict-cpu-reservation", T.Boolean, "false", "cpuManagerPolicyOptions", NeedsDrain,
            "Keep reserved CPUs out of the shared pool (docs/kubelet-rules.md §3.1)."),
        new("cpuManager:policyOptions:prefer-align-cpus-by-uncorecache", T.Boolean, "false", "cpuManagerPolicyOptions", NeedsDrain,
            "Prefer CPUs sharing an uncore (L3) cache (docs/kubelet-rules.md §3.6)."),
        new("memoryManager:policy", T.Enum, "None", "memoryManagerPolicy", NeedsDrain,
            "`Static` pins Guaranteed pods' memory to NUMA nodes (docs/kubelet-rules.md §4).", MemoryPolicies),
        new("memoryManager:reservedMemory:#:numaNode", T.Integer, "", "reservedMemory[].numaNode", NeedsDrain,
            "NUMA node of one reservation; must exist (docs/kubelet-rules.md §4.1)."),
        new("memoryManager:reservedMemory:#:limits:*", T.Quantity, "", "reservedMemory[].limits", NeedsDrain,
            "`memory` or `hugepages-<size>` reserved on that node; per type the sum over nodes must equal kubeReserved + systemReserved (+ evictionHard memory.available for memory) (docs/kubelet-rules.md §4.1)."),
        new("memoryQoS:enabled", T.Boolean, "false", "featureGates.MemoryQoS", NeedsRestart,
            "Write memory.min/low/high (cgroup v2 only; docs/kubelet-rules.md §6)."),
        new("memoryQoS:memoryReservationPolicy", T.Enum, "None", "memoryReservationPolicy", NeedsRestart,
            "`TieredReservation` also sets memory.min/memory.low (docs/kubelet-rules.md §6.1).", MemoryReservationPolicies),
        new("memoryQoS:memoryThrottlingFactor", T.Float, "0.9", "memoryThrottlingFactor", Live,
            "memory.high = request + factor × (limit − request); in (0, 1] (docs/kubelet-rules.md §6.3)."),
        new("nodeAllocatable:systemReserved:*", T.Quantity, "", "systemReserved", NeedsDrain,
            "Resources reserved for the OS (cpu, memory, hugepages-<size>, ephemeral-storage, pid)."),
        new("nodeAllocatable:kubeReserved:*", T.Quantity, "", "kubeReserved", NeedsDrain,
            "Resources reserved for Kubernetes daemons (same names as systemReserved)."),
        new("nodeAllocatable:evictionHard:*", T.QuantityOrPercent, "memory.available = \"100Mi\"", "evictionHard", NeedsDrain,
            "Hard eviction thresholds; memory.available is part of the memory reservation (docs/kubelet-rules.md §4.1)."),
        new("featureGates:PodLevelResources", T.Boolean, "true", "featureGates.PodLevelResources", NeedsDrain,
            "Honour pod-level spec.resources (docs/kubelet-rules.md §5.1)."),
        new("featureGates:PodLevelResourceManagers", T.Boolean, "false", "featureGates.PodLevelResourceManagers", NeedsDrain,
            "KEP-5526 pod-level CPU and memory managers; needs PodLevelResources (docs/kubelet-rules.md §5)."),
        new("featureGates:CPUManagerPolicyBetaOptions", T.Boolean, "true", "featureGates.CPUManagerPolicyBetaOptions", NeedsDrain,
            "Allow beta CPU manager options (docs/kubelet-rules.md §3.10)."),
        new("featureGates:CPUManagerPolicyAlphaOptions", T.Boolean, "false", "featureGates.CPUManagerPolicyAlphaOptions", NeedsDrain,
            "Allow alpha CPU manager options (docs/kubelet-rules.md §3.10)."),
        new("cgroup:mountPath", T.Path, "/sys/fs/cgroup", null, NeedsRestart,
            "Mount point of the cgroup hierarchy."),
        new("cgroup:cgroupRoot", T.Path, "/", "cgroupRoot", NeedsRestart,
            "Cgroup under which the pod hierarchy lives."),
        new("cgroup:cgroupDriver", T.Enum, "cgroupfs", "cgroupDriver", NeedsRestart,
            "How cgroup paths are named.", CgroupDrivers),
        new("state:directory", T.Path, "/var/lib/resmgrlite", "rootDir", NeedsRestart,
            "Directory of the checkpoint files."),
        new("log:target", T.String, "file", null, Live,
            "`file` (`log.file`), `stderr`, `stdout`, `journal` (systemd journal, native protocol; stderr when there is none), or an absolute path (the file target writing there). `resmgrlite run --log-file` overrides it. Not `stderr`/`stdout` for a pre-launched plugin: containerd 1.7.24 and 2.1.9 start it with both on /dev/null (docs/logging.md)."),
        new("log:file", T.Path, "/var/log/resmgrlite.log", null, Live,
            "File of the `file` target; appended to, rotated at `log.maxSize`."),
        new("log:format", T.Enum, "text", null, Live,
            "`text` (one line: time, level, message) or `json` (one object a line: time, level, event, pod, container, message).", LogFormats),
        new("log:maxSize", T.Quantity, "10Mi", null, Live,
            "Size at which the log file is rotated to `<file>.1` (one old file is kept, so the log takes at most twice this); `0` never rotates."),
        new("log:level", T.Enum, "info", "logging.verbosity", Live,
            "Least severe level written.", LogLevels),
        new("metrics:listenAddress", T.Address, "", null, NeedsRestart,
            "`host:port` (IP address; `:9464` is every interface) or `unix:/path` of the Prometheus endpoint (`GET /metrics`, `GET /healthz`); empty turns it off."),
        new("metrics:textfile", T.Path, "", null, NeedsRestart,
            "File the metrics are written to every 15 s for node_exporter's textfile collector (must end in `.prom`); empty turns it off."),
        new("nrt:file", T.Path, "", null, NeedsRestart,
            "File kept up to date with this node's NodeResourceTopology (topology.node.k8s.io/v1alpha2) JSON after every allocation change; empty turns it off."),
        new("nrt:nodeName", T.String, "", null, NeedsRestart,
            "Kubernetes node name in the NodeResourceTopology document; empty uses the host name."),
        new("hooks:directory", T.Path, "", null, Live,
            "Directory of executables run after allocation changes (docs/hooks.md); must be root's and not writable by others; empty turns hooks off."),
        new("hooks:timeout", T.Duration, "5s", null, Live,
            "Longest one hook run may take; then its whole process group is killed."),
    ];
}
