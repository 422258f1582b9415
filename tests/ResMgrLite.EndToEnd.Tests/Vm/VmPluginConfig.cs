using System.Globalization;

namespace ResMgrLite.EndToEnd.Tests.Vm;

/// <summary>
/// The plugin configuration the VM run hands to the pre-launched resmgrlite
/// (/etc/nri/conf.d/10-resmgrlite.conf in the guest, passed unparsed in ConfigureRequest.config).
/// Key names follow the configuration layer's schema (src/ResMgrLite.Config, Schema/ConfigSchema.cs:
/// topologyManager:policy, cpuManager:policy, cpuManager:reservedSystemCPUs,
/// cpuManager:reconcilePeriod, memoryManager:policy, memoryManager:reservedMemory:#:*,
/// memoryQoS:*, nodeAllocatable:evictionHard:*, log:target, log:level).
/// </summary>
internal static class VmPluginConfig
{
    public const string FileName = "10-resmgrlite";

    /// <summary>CPU 0 stays with the system; the static policy needs a reservation (docs/kubelet-rules.md §3.1).</summary>
    public const string ReservedCpus = "0";

    /// <summary>The hard eviction threshold, and therefore node 0's reserved memory (docs/kubelet-rules.md §4.1: the sums must match).</summary>
    public const string EvictionHard = "100Mi";

    public const long EvictionHardBytes = 100L << 20;

    public const double MemoryThrottlingFactor = 0.9;

    /// <summary>Guest path of the plugin's log: on the share, so the host reads it live and after the run.</summary>
    public const string GuestLogPath = "/share/guest/resmgrlite.log";

    public static string Text => string.Create(CultureInfo.InvariantCulture, $"""
        # Written by the ResMgrLite VM scenario (tests/ResMgrLite.EndToEnd.Tests/Vm).
        [log]
        target = "{GuestLogPath}"
        level = "debug"

        [topologyManager]
        policy = "single-numa-node"
        scope = "container"

        [cpuManager]
        policy = "static"
        reservedSystemCPUs = "{ReservedCpus}"
        # Shared-pool updates are checked by polling; a short period keeps the run short.
        reconcilePeriod = "1s"

        [memoryManager]
        policy = "Static"

        [[memoryManager.reservedMemory]]
        numaNode = 0
        [memoryManager.reservedMemory.limits]
        memory = "{EvictionHard}"

        [memoryQoS]
        enabled = true
        memoryReservationPolicy = "TieredReservation"
        memoryThrottlingFactor = {MemoryThrottlingFactor}

        [nodeAllocatable.evictionHard]
        "memory.available" = "{EvictionHard}"

        """);

    /// <summary>memory.high = floor((request + factor × (limit − request)) / page) × page, in double arithmetic (docs/kubelet-rules.md §6.3).</summary>
    public static long MemoryHigh(long requestBytes, long limitBytes, long pageSize = 4096)
    {
        var high = requestBytes + (MemoryThrottlingFactor * (limitBytes - requestBytes));
        return (long)Math.Floor(high / pageSize) * pageSize;
    }
}
